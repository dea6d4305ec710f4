using System.Reflection;
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

    /// <summary>Runs <paramref name="command"/> with the JSON format and its settings; its errors are thrown here, before any answer starts.</summary>
    public static async Task<EngineJson<TRow>> RunAsync(ClickHouseCommand command, Action? served, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in FormatSettings)
        {
            command.Settings[name] = value;
        }

        return new EngineJson<TRow>(await command.ExecuteRawAsync(Format, cancellationToken), served);
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (result)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = result.Length;
            await result.CopyToAsync(response.Body, httpContext.RequestAborted);
        }

        served?.Invoke();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TRow[]), ["application/json"]));
    }
}
