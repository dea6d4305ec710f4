using System.Globalization;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Postgres;

/// <summary>
/// The three questions in PostgreSQL (<c>sql/postgres/*.sql</c>), with every value passed as a psql
/// variable, timed in one session; the answers to the first timed requests are checksummed.
/// </summary>
internal sealed class PostgresQueries(LoadTestOptions options, Psql psql)
{
    public const string System = "PostgreSQL 15, raw table";

    private const int MaxRows = 5000;

    public async Task<List<QueryFigure>> RunAsync(QueryPlan plan, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Path("pg-answers"));
        await using var session = new PsqlSession(psql);
        return
        [
            await Round(session, ApiNames.PromptStats, "prompt_stats", plan.PromptStats, PromptStats, PromptStatsChecksum, cancellationToken),
            await Round(session, ApiNames.PromptUsage, "prompt_usage", plan.PromptUsage, PromptUsage, PromptUsageChecksum, cancellationToken),
            await Round(session, ApiNames.UserStats, "user_stats", plan.UserStats, UserStats, UserStatsChecksum, cancellationToken),
        ];
    }

    /// <summary>The empty-query round trip of the same session (SELECT 1), for the report's notes.</summary>
    public async Task<Latency> EmptyQueryAsync(CancellationToken cancellationToken)
    {
        await using var session = new PsqlSession(psql);
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            times.Add(await session.TimeAsync(string.Empty, "SELECT 1;", null, cancellationToken));
        }

        return Latency.Of(times);
    }

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sql", "postgres", name + ".sql"));

    private string PromptStats(PromptStatsCase c) =>
        Common() + Psql.Set("ids", Array(c.PromptIds)) + Psql.Set("from", TrafficModel.Date(c.From)) + Psql.Set("to", TrafficModel.Date(c.To));

    private string PromptUsage(PromptUsageCase c) =>
        Common() + Psql.Set("start", TrafficModel.Date(c.Start)) + Psql.Set("end", TrafficModel.Date(c.End)) +
        Psql.Set("products", Array(c.ProductIds.Select(p => p.ToString()))) + Psql.Set("search", c.Search) + Psql.Set("origin", c.Origin);

    private string UserStats(UserStatsCase c) =>
        Common() + Psql.Set("granularity", c.Granularity) + Psql.Set("start", Instant(c.Start)) + Psql.Set("end", Instant(c.End)) +
        Psql.Set("accounts", Array(c.Accounts)) + Psql.Set("institutions", Array(c.Institutions)) + Psql.Set("role", c.Role) + Psql.Set("search", c.Search);

    private string Common() => Psql.Set("workspace", options.Workspace);

    /// <summary>Times every case; the answers to the first timed ones go to files, read back (untimed) into checksums.</summary>
    private async Task<QueryFigure> Round<TCase>(
        PsqlSession session,
        string api,
        string name,
        TCase[] cases,
        Func<TCase, string> variables,
        Func<List<Dictionary<string, string>>, string> digest,
        CancellationToken cancellationToken)
    {
        var sql = Text(name);
        return await QueryRound.RunAsync(api, System, cases, options,
            async (c, index, ct) =>
            {
                var answer = index >= options.Warmup && index < options.Warmup + QueryRound.CheckedRequests
                    ? options.Path(Path.Combine("pg-answers", $"{name}-{index}.txt"))
                    : null;
                var milliseconds = await session.TimeAsync(variables(c), sql, answer, ct);
                return (milliseconds, answer is null ? null : digest(Rows(await File.ReadAllLinesAsync(answer, ct))));
            },
            cancellationToken);
    }

    /// <summary>psql's unaligned output: a header line, then one line per row, fields separated by '|'.</summary>
    private static List<Dictionary<string, string>> Rows(string[] lines)
    {
        var header = lines.Length > 0 ? lines[0].Split('|') : [];
        return lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => header.Zip(l.Split('|')).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))
            .ToList();
    }

    private static string PromptStatsChecksum(List<Dictionary<string, string>> rows) =>
        Checksum.PromptStats(rows.Sum(r => Long(r["calls"])), rows.Sum(r => decimal.Parse(r["cost"], CultureInfo.InvariantCulture)));

    private static string PromptUsageChecksum(List<Dictionary<string, string>> rows) =>
        Checksum.PromptUsage(rows.Count, rows.Sum(r => Long(r["prompt_count"])));

    private static string UserStatsChecksum(List<Dictionary<string, string>> rows) =>
        Checksum.UserStats(
            Math.Min(rows.Count, MaxRows),
            rows.Take(MaxRows).Sum(r => Long(r["query_count"])),
            rows.Count > MaxRows,
            rows.Count == 0 ? 0 : Long(rows[0]["users_at_cap"]));

    private static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    private static string Array(IEnumerable<string> items) => "{" + string.Join(',', items) + "}";

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
