using System.Diagnostics;
using Analytics.ClickHouse.ADO;
using Analytics.LoadTest.Http;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Engine;

/// <summary>
/// API B's own statement (the service's <c>sql/queries/prompt_usage.sql</c>, copied beside this program from the
/// same file the service copies beside itself) with the service's parameters and output format, run by the engine
/// alone on a copy of the service's whole schema: what the answer costs without HTTP, authentication and the rest
/// of the service. A request's time runs from sending the statement until the engine's whole JSON body is read;
/// each body is digested like the API's answer, so the report can tell whether they are the same bytes.
/// </summary>
internal sealed class ServiceStatementQueries(LoadTestOptions options, ClickHouseConnection connection)
{
    public const string System = "engine alone, the service's statement (rollups)";

    /// <summary>
    /// What the service asks the engine for (<c>EngineJson.Format</c> and <c>EngineJson.FormatSettings</c> in
    /// src/Analytics.Api/Features/Shared/EngineJson.cs): a JSON array of rows. Should these drift apart from the
    /// service's, the bodies differ and the digests say so.
    /// </summary>
    private const string Format = "JSONEachRow";

    private static readonly Dictionary<string, string> FormatSettings = new(StringComparer.Ordinal)
    {
        ["output_format_json_array_of_rows"] = "1",
        ["output_format_json_quote_64bit_integers"] = "0",
        ["output_format_json_quote_decimals"] = "0",
        ["output_format_json_escape_forward_slashes"] = "0",
        ["output_format_json_validate_utf8"] = "1",
    };

    private static readonly Lazy<string> PromptUsageSql =
        new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "service-sql", "queries", "prompt_usage.sql")));

    public Task<QueryFigure> PromptUsageAsync(QueryPlan plan, CancellationToken cancellationToken) =>
        QueryRound.RunAsync(ApiNames.PromptUsage, System, plan.PromptUsage, options, (c, _, ct) => PromptUsageAsync(c, ct), cancellationToken);

    private async Task<QueryAnswer> PromptUsageAsync(PromptUsageCase c, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = PromptUsageSql.Value;

        // The values and CLR types the service binds (PromptUsageHandler): the product ids de-duplicated as it does.
        command.Parameters.AddWithValue("workspace", options.Workspace);
        command.Parameters.AddWithValue("start", c.Start);
        command.Parameters.AddWithValue("end", c.End);
        command.Parameters.AddWithValue("products", c.ProductIds.Distinct().ToArray());
        command.Parameters.AddWithValue("search", c.Search);
        command.Parameters.AddWithValue("origin", c.Origin);
        foreach (var (name, value) in FormatSettings)
        {
            command.Settings[name] = value;
        }

        byte[] body;
        double milliseconds;
        var started = Stopwatch.GetTimestamp();
        await using (var result = await command.ExecuteRawAsync(Format, cancellationToken))
        {
            body = await result.ReadAllBytesAsync(cancellationToken);
            milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return new QueryAnswer(milliseconds, ApiRequests.PromptUsageChecksum(body), ApiRequests.PromptUsageDigest(body));
    }
}
