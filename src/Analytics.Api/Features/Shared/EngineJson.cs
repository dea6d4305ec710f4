using System.Data.Common;
using System.Reflection;
using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Microsoft.AspNetCore.Http.Metadata;

namespace Analytics.Api.Features.Shared;

/// <summary>
/// A 200 answer whose JSON the engine wrote itself, passed on byte for byte as the engine writes it: no row
/// becomes an object here. <see cref="EngineJson{TRow}"/> is a statement's rows as a JSON array of objects;
/// <see cref="EngineDocument{T}"/> is one document a statement built as its one text value.
/// </summary>
public abstract class EngineAnswer : IResult
{
    /// <summary>
    /// How the engine writes JSON: JSONEachRow written as one array, numbers as numbers, slashes as they are,
    /// text checked as UTF-8 (the same settings apply to <c>toJSONString</c>). Each is stated even where it is
    /// the engine's default, since a server's profile may change those.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FormatSettings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["output_format_json_array_of_rows"] = "1",
        ["output_format_json_quote_64bit_integers"] = "0",
        ["output_format_json_quote_decimals"] = "0",
        ["output_format_json_escape_forward_slashes"] = "0",
        ["output_format_json_validate_utf8"] = "1",
    };

    private readonly ClickHouseRawResult result;
    private readonly Action? served;

    private protected EngineAnswer(ClickHouseRawResult result, Action? served)
    {
        this.result = result;
        this.served = served;
    }

    /// <summary>
    /// Runs <paramref name="command"/> in <paramref name="format"/> with the JSON settings. An error that comes
    /// with the first bytes (and a sorted or aggregated answer's come only once that is done) is thrown here,
    /// before any answer starts.
    /// </summary>
    private protected static async Task<ClickHouseRawResult> RunRawAsync(ClickHouseCommand command, string format, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in FormatSettings)
        {
            command.Settings[name] = value;
        }

        return await command.ExecuteRawAsync(format, cancellationToken);
    }

    /// <summary>
    /// Passes the answer on as the engine writes it, block by block, without knowing its length beforehand
    /// (chunked transfer).
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
                // The 200 is on its way with part of the answer: cut the connection, so that the client sees
                // a failed answer instead of taking a partial one for the whole.
                var queryId = (ex as ClickHouseServerException)?.QueryId ?? (ex as ClickHouseTransportException)?.QueryId;
                EngineJsonLog.FailedPartWay(httpContext.RequestServices.GetRequiredService<ILogger<EngineAnswer>>(), queryId, ex);
                httpContext.Abort();
                return;
            }
        }

        served?.Invoke();
    }
}

/// <summary>
/// A statement's rows as a JSON array of objects, written by the engine. For OpenAPI it is declared as an array
/// of <typeparamref name="TRow"/>, the contract the statement's columns follow.
/// </summary>
public sealed class EngineJson<TRow> : EngineAnswer, IEndpointMetadataProvider
{
    public const string Format = "JSONEachRow";

    private EngineJson(ClickHouseRawResult result, Action? served)
        : base(result, served)
    {
    }

    /// <summary>Runs <paramref name="command"/>, whose rows make the answer.</summary>
    public static async Task<EngineJson<TRow>> RunAsync(ClickHouseCommand command, Action? served, CancellationToken cancellationToken) =>
        new(await RunRawAsync(command, Format, cancellationToken), served);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TRow[]), ["application/json"]));
    }
}

/// <summary>
/// One JSON document a statement built (one row, one text column), written out as it is. For OpenAPI it is
/// declared as <typeparamref name="T"/>, the contract the statement follows.
/// </summary>
public sealed class EngineDocument<T> : EngineAnswer, IEndpointMetadataProvider
{
    /// <summary>A text column's bytes and nothing else: no quotes, no escapes, no line end.</summary>
    public const string Format = "RawBLOB";

    private EngineDocument(ClickHouseRawResult result, Action? served)
        : base(result, served)
    {
    }

    /// <summary>Runs <paramref name="command"/>, whose one value is the answer.</summary>
    public static async Task<EngineDocument<T>> RunAsync(ClickHouseCommand command, Action? served, CancellationToken cancellationToken) =>
        new(await RunRawAsync(command, Format, cancellationToken), served);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}

internal static partial class EngineJsonLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "An answer written by the engine failed part way (query {QueryId}); the connection was cut")]
    public static partial void FailedPartWay(ILogger logger, string? queryId, Exception exception);
}
