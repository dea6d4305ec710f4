using System.Data.Common;
using System.Diagnostics;
using Analytics.ClickHouse.ADO;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Engine;

/// <summary>
/// The three questions in raw SQL on the raw events table (<c>sql/clickhouse/*.sql</c>), through
/// the provider with server-side parameters; a request's time runs until every row has been decoded.
/// </summary>
internal sealed class RawQueries(LoadTestOptions options, ClickHouseConnection connection)
{
    public const string System = "raw SQL, same engine";

    private const int MaxRows = 5000;

    private static readonly Dictionary<string, string> Sql = new(StringComparer.Ordinal);

    public async Task<List<QueryFigure>> RunAsync(QueryPlan plan, CancellationToken cancellationToken) =>
    [
        await QueryRound.RunAsync(ApiNames.PromptStats, System, plan.PromptStats, options, (c, _, ct) => PromptStatsAsync(c, ct), cancellationToken),
        await QueryRound.RunAsync(ApiNames.PromptUsage, System, plan.PromptUsage, options, (c, _, ct) => PromptUsageAsync(c, ct), cancellationToken),
        await QueryRound.RunAsync(ApiNames.UserStats, System, plan.UserStats, options, (c, _, ct) => UserStatsAsync(c, ct), cancellationToken),
    ];

    public static string Text(string name)
    {
        lock (Sql)
        {
            if (!Sql.TryGetValue(name, out var text))
            {
                Sql[name] = text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sql", "clickhouse", name + ".sql"));
            }

            return text;
        }
    }

    private Task<(double, string?)> PromptStatsAsync(PromptStatsCase c, CancellationToken cancellationToken)
    {
        long calls = 0;
        var cost = 0m;
        return RunAsync(
            "prompt_stats",
            [("workspace", options.Workspace), ("ids", c.PromptIds), ("from", c.From), ("to", c.To)],
            reader =>
            {
                calls += reader.GetInt64(reader.GetOrdinal("Calls"));
                cost += reader.GetDecimal(reader.GetOrdinal("Cost"));
            },
            () => Checksum.PromptStats(calls, cost),
            cancellationToken);
    }

    private Task<(double, string?)> PromptUsageAsync(PromptUsageCase c, CancellationToken cancellationToken)
    {
        long rows = 0, prompts = 0;
        return RunAsync(
            "prompt_usage",
            [("workspace", options.Workspace), ("start", c.Start), ("end", c.End), ("products", c.ProductIds), ("search", c.Search), ("origin", c.Origin)],
            reader =>
            {
                rows++;
                prompts += reader.GetInt64(reader.GetOrdinal("PromptCount"));
            },
            () => Checksum.PromptUsage(rows, prompts),
            cancellationToken);
    }

    private Task<(double, string?)> UserStatsAsync(UserStatsCase c, CancellationToken cancellationToken)
    {
        long rows = 0, queries = 0, atCap = 0;
        return RunAsync(
            "user_stats",
            [
                ("workspace", options.Workspace), ("granularity", c.Granularity), ("start", c.Start), ("end", c.End),
                ("accounts", c.Accounts), ("institutions", c.Institutions), ("role", c.Role), ("search", c.Search), ("limit", (uint)MaxRows + 1),
            ],
            reader =>
            {
                if (++rows <= MaxRows)
                {
                    queries += reader.GetInt64(reader.GetOrdinal("QueryCount"));
                }

                atCap = reader.GetInt64(reader.GetOrdinal("UsersAtCap"));
            },
            () => Checksum.UserStats(Math.Min(rows, MaxRows), queries, rows > MaxRows, atCap),
            cancellationToken);
    }

    private async Task<(double, string?)> RunAsync(
        string name, (string Name, object Value)[] parameters, Action<DbDataReader> row, Func<string> checksum, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Text(name);
        foreach (var (parameter, value) in parameters)
        {
            command.Parameters.AddWithValue(parameter, value);
        }

        var started = Stopwatch.GetTimestamp();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                row(reader);
            }
        }

        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, checksum());
    }
}
