using System.Text.Json.Serialization;

namespace Analytics.Api.Ingestion;

/// <summary>A workspace's ingestion over the last hour and day, and this instance's spool and buffer.</summary>
public sealed record IngestionStats(
    [property: JsonPropertyName("workspace_id")] string WorkspaceId,
    [property: JsonPropertyName("as_of")] DateTime AsOf,
    [property: JsonPropertyName("last_hour")] IngestionWindow LastHour,
    [property: JsonPropertyName("last_day")] IngestionWindow LastDay,
    [property: JsonPropertyName("spool_batches")] int SpoolBatches,
    [property: JsonPropertyName("buffered")] long Buffered);

/// <summary>What was stored in a window: events accepted, duplicates dropped, lines quarantined.</summary>
public sealed record IngestionWindow(
    [property: JsonPropertyName("accepted")] long Accepted,
    [property: JsonPropertyName("duplicates")] long Duplicates,
    [property: JsonPropertyName("quarantined")] long Quarantined);

/// <summary>The latest quarantined lines of a workspace, newest first.</summary>
public sealed record QuarantineAnswer(
    [property: JsonPropertyName("workspace_id")] string WorkspaceId,
    [property: JsonPropertyName("lines")] IReadOnlyList<QuarantinedLineView> Lines);

/// <summary>One refused line: when it came, its number in its request, why, and the line itself.</summary>
public sealed class QuarantinedLineView
{
    [JsonPropertyName("received_at")]
    public DateTime ReceivedAt { get; init; }

    [JsonPropertyName("line")]
    public int Line { get; init; }

    [JsonPropertyName("reason")]
    public string Reason { get; init; } = string.Empty;

    [JsonPropertyName("raw")]
    public string Raw { get; init; } = string.Empty;

    [JsonPropertyName("raw_truncated")]
    public bool RawTruncated { get; init; }
}

/// <summary>The row <c>ingest_counts.sql</c> returns.</summary>
internal sealed class IngestCountsRow
{
    public long HourAccepted { get; init; }

    public long HourDuplicates { get; init; }

    public long HourQuarantined { get; init; }

    public long DayAccepted { get; init; }

    public long DayDuplicates { get; init; }

    public long DayQuarantined { get; init; }
}
