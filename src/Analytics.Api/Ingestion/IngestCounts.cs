namespace Analytics.Api.Ingestion;

/// <summary>The rows of <c>ingest_counts</c>: what a committed batch stored, per workspace, in the minute it committed.</summary>
internal static class IngestCounts
{
    public static readonly string[] Columns = ["workspace_id", "minute", "accepted", "duplicates", "quarantined"];

    /// <summary>One row per workspace with anything to count, at <paramref name="now"/> cut to the minute.</summary>
    public static List<object?[]> Rows(IEnumerable<(string Workspace, int Accepted, int Duplicates, int Quarantined)> counts, DateTime now)
    {
        var minute = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        return counts
            .GroupBy(c => c.Workspace, StringComparer.Ordinal)
            .Select(g => (Workspace: g.Key, Accepted: g.Sum(c => (long)c.Accepted), Duplicates: g.Sum(c => (long)c.Duplicates), Quarantined: g.Sum(c => (long)c.Quarantined)))
            .Where(g => g.Accepted + g.Duplicates + g.Quarantined > 0)
            .Select(g => new object?[] { g.Workspace, minute, g.Accepted, g.Duplicates, g.Quarantined })
            .ToList();
    }
}
