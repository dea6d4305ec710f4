using System.Data.Common;
using System.Reflection;
using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Microsoft.AspNetCore.Http.Metadata;

namespace Analytics.Api.Features.Shared;

/// <summary>
/// A 200 answer whose JSON the engine wrote itself (a statement's rows as a JSON array of objects), passed
/// on byte for byte: no row becomes an object here. For OpenAPI it is declared as an array of
/// <typeparamref name="TRow"/>, the contract the statement's columns follow.
/// </summary>
public sealed class EngineJson<TRow> : IResult, IEndpointMetadataProvider
{
    /// <summary>
    /// What the engine is asked for: JSONEachRow written as one array, numbers as numbers, slashes as they
    /// are. Each is stated even where it is the engine's default, since a server's profile may change those.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FormatSettings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["output_format_json_array_of_rows"] = "1",
        ["output_format_json_quote_64bit_integers"] = "0",
        ["output_format_json_quote_decimals"] = "0",
        ["output_format_json_escape_forward_slashes"] = "0",
        ["output_format_json_validate_utf8"] = "1",
    };

    public const string Format = "JSONEachRow";

    private readonly ClickHouseRawResult result;
    private readonly Action? served;

    private EngineJson(ClickHouseRawResult result, Action? served)
    {
        this.result = result;
        this.served = served;
    }

    /// <summary>
    /// Runs <paramref name="command"/> with the JSON format and its settings. An error that comes with the
    /// first rows (and a sorted answer's rows come only once the sort is done) is thrown here, before any
    /// answer starts.
    /// </summary>
    public static async Task<EngineJson<TRow>> RunAsync(ClickHouseCommand command, Action? served, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in FormatSettings)
        {
            command.Settings[name] = value;
        }

        return new EngineJson<TRow>(await command.ExecuteRawAsync(Format, cancellationToken), served);
    }

    /// <summary>
    /// Passes the rows on as the engine writes them, block by block, without knowing the answer's length
    /// beforehand (chunked transfer).
    /// </summary>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        await using (result)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            try
            {
                await result.CopyToAsync(response.Body, httpContext.RequestAborted);
            }
            catch (Exception ex) when (ex is DbException or TimeoutException)
            {
                // The 200 is on its way with part of the rows: cut the connection, so that the client sees
                // a failed answer instead of taking a partial one for the whole.
                var queryId = (ex as ClickHouseServerException)?.QueryId ?? (ex as ClickHouseTransportException)?.QueryId;
                EngineJsonLog.FailedPartWay(httpContext.RequestServices.GetRequiredService<ILogger<EngineJson<TRow>>>(), queryId, ex);
                httpContext.Abort();
                return;
            }
        }

        served?.Invoke();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TRow[]), ["application/json"]));
    }
}

internal static partial class EngineJsonLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "An answer written by the engine failed part way (query {QueryId}); the connection was cut")]
    public static partial void FailedPartWay(ILogger logger, string? queryId, Exception exception);
}
