using System.Globalization;
using System.Text;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Postgres;

/// <summary>
/// The three questions in PostgreSQL (<c>sql/postgres/*.sql</c>), with every value passed as a psql
/// variable. Timed in one session; the first timed requests are then re-run, untimed, to checksum their answers.
/// </summary>
internal sealed class PostgresQueries(LoadTestOptions options, Psql psql)
{
    public const string System = "PostgreSQL 15, raw table";

    private const int MaxRows = 5000;

    public async Task<List<QueryFigure>> RunAsync(QueryPlan plan, CancellationToken cancellationToken)
    {
        var figures = new List<QueryFigure>();
        await using (var session = new PsqlSession(psql))
        {
            figures.Add(await Round(session, ApiNames.PromptStats, "prompt_stats", plan.PromptStats, PromptStats, cancellationToken));
            figures.Add(await Round(session, ApiNames.PromptUsage, "prompt_usage", plan.PromptUsage, PromptUsage, cancellationToken));
            figures.Add(await Round(session, ApiNames.UserStats, "user_stats", plan.UserStats, UserStats, cancellationToken));
        }

        // Checksums of the answers to the first timed requests, from an untimed re-run.
        figures[0] = figures[0] with { Checksums = await ChecksumsAsync("prompt_stats", Checked(plan.PromptStats, figures[0]).Select(PromptStats), PromptStatsChecksum, cancellationToken) };
        figures[1] = figures[1] with { Checksums = await ChecksumsAsync("prompt_usage", Checked(plan.PromptUsage, figures[1]).Select(PromptUsage), PromptUsageChecksum, cancellationToken) };
        figures[2] = figures[2] with { Checksums = await ChecksumsAsync("user_stats", Checked(plan.UserStats, figures[2]).Select(UserStats), UserStatsChecksum, cancellationToken) };
        return figures;
    }

    /// <summary>The empty-query round trip of the same session (SELECT 1), for the report's notes.</summary>
    public async Task<Latency> EmptyQueryAsync(CancellationToken cancellationToken)
    {
        await using var session = new PsqlSession(psql);
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            times.Add(await session.TimeAsync(string.Empty, "SELECT 1;", cancellationToken));
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

    private async Task<QueryFigure> Round<TCase>(
        PsqlSession session, string api, string name, TCase[] cases, Func<TCase, string> variables, CancellationToken cancellationToken)
    {
        var sql = Text(name);
        return await QueryRound.RunAsync(api, System, cases, options,
            async (c, ct) => (await session.TimeAsync(variables(c), sql, ct), null), cancellationToken);
    }

    private IEnumerable<TCase> Checked<TCase>(TCase[] cases, QueryFigure figure) =>
        cases.Skip(Math.Min(options.Warmup, cases.Length)).Take(Math.Min(QueryRound.CheckedRequests, figure.Latency.Count));

    /// <summary>Runs each query once more with its rows printed (unaligned, with a header) and digests each answer.</summary>
    private async Task<string[]> ChecksumsAsync(string name, IEnumerable<string> variableSets, Func<List<Dictionary<string, string>>, string> digest, CancellationToken cancellationToken)
    {
        var sql = Text(name).TrimEnd();
        var script = new StringBuilder("\\pset format unaligned\n\\pset footer off\n\\pset null ''\n");
        foreach (var variables in variableSets)
        {
            script.Append("\\echo @@answer\n").Append(variables).Append(sql).Append('\n');
        }

        var (output, _) = await psql.RunAsync(script.ToString(), cancellationToken);
        return output.Split("@@answer\n", StringSplitOptions.RemoveEmptyEntries).Select(answer =>
        {
            var lines = answer.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var header = lines.Length > 0 ? lines[0].Split('|') : [];
            var rows = lines.Skip(1).Select(l => header.Zip(l.Split('|')).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal)).ToList();
            return digest(rows);
        }).ToArray();
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
