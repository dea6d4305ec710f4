using Analytics.Api.Auth;
using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion.Otlp.Proto;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RpcStatus = Analytics.Api.Ingestion.Otlp.Proto.Rpc.Status;

namespace Analytics.Api.Ingestion.Otlp;

/// <summary>
/// <c>POST /v1/traces</c>: OTLP/HTTP trace export. The GenAI spans become events through the same
/// writer as <c>POST /v1/events</c>: the same de-duplication, quarantine, rollups and backpressure.
/// </summary>
internal static class OtlpTracesApi
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    public static IEndpointRouteBuilder MapOtlpTracesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/traces", ExportAsync)
            .WithName("ExportTraces")
            .WithTags("Ingestion")
            .WithSummary("Store the GenAI spans of an OTLP/HTTP trace export (application/x-protobuf or OTLP JSON); gzip accepted.")
            .WithDescription(
                "Scope `ingest`, credential as for /v1/events. Each span with gen_ai.* attributes becomes one event, as if sent to /v1/events " +
                "(same validation, de-duplication by trace id and span id, quarantine); other spans are skipped. The answer is an " +
                "ExportTraceServiceResponse in the request's encoding: partial_success.rejected_spans counts the quarantined spans and " +
                "error_message says why, and how many spans were skipped or already stored. 400 (google.rpc.Status) for a body that is not " +
                "an export; 429 and 503 with Retry-After under the same backpressure as /v1/events; 401/403 as /v1/events.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [Protobuf] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                        [Json] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "OTLP JSON: lowerCamelCase names, hex trace and span ids" } },
                    },
                };
                return Task.CompletedTask;
            })
            .Produces(StatusCodes.Status200OK, contentType: Protobuf, additionalContentTypes: Json)
            .Produces(StatusCodes.Status400BadRequest, contentType: Protobuf, additionalContentTypes: Json)
            .Produces<ErrorResponse>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .Produces(StatusCodes.Status413PayloadTooLarge, contentType: Protobuf, additionalContentTypes: Json)
            .Produces(StatusCodes.Status415UnsupportedMediaType)
            .Produces(StatusCodes.Status429TooManyRequests, contentType: Protobuf, additionalContentTypes: Json)
            .Produces(StatusCodes.Status503ServiceUnavailable, contentType: Protobuf, additionalContentTypes: Json);
        return app;
    }

    private static async Task<IResult> ExportAsync(
        HttpContext context,
        CredentialResolver credentials,
        EventWriter writer,
        TimeProvider time,
        IOptions<AnalyticsOptions> options,
        ILoggerFactory loggers)
    {
        var credential = await credentials.ResolveAsync(context);
        if (credential is null)
        {
            return ErrorResponse.Result(StatusCodes.Status401Unauthorized, "missing or invalid credential");
        }

        var workspace = IngestionApi.WorkspaceOf(credential, context.Request);
        if (workspace is null)
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, "the admin token acts for a workspace named in the X-Workspace-Id header");
        }

        if (!credential.Has(Scopes.Ingest) || !credential.CanAccess(workspace))
        {
            return ErrorResponse.Result(StatusCodes.Status403Forbidden, "the credential may not ingest into this workspace");
        }

        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        var json = string.Equals(mediaType, Json, StringComparison.OrdinalIgnoreCase);
        if (!json && !string.Equals(mediaType, Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Text($"Content-Type must be {Protobuf} or {Json}", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var ingestion = options.Value.Ingestion;
        ExportTraceServiceRequest export;
        using (var body = await IngestionApi.ReadBodyAsync(context.Request, ingestion.MaxBodyBytes, context.RequestAborted))
        {
            if (body is null)
            {
                return Failure(json, StatusCodes.Status413PayloadTooLarge, $"the body is larger than {ingestion.MaxBodyBytes} bytes");
            }

            try
            {
                export = json ? OtlpJson.Parse(body.Memory) : ExportTraceServiceRequest.Parser.ParseFrom(body.Memory.Span);
            }
            catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException or InvalidJsonException)
            {
                return Failure(json, StatusCodes.Status400BadRequest, json ? ex.Message : $"the body is not an OTLP trace export: {ex.Message}");
            }
        }

        var stored = await OtlpExportStore.StoreAsync(export, workspace, writer, time, ingestion, loggers);
        if (stored.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return stored.Response is { } response
            ? Answer(json, response)
            : Failure(json, stored.Status, stored.Message!);
    }

    private static IResult Answer(bool json, ExportTraceServiceResponse response) => Encoded(json, response, StatusCodes.Status200OK);

    /// <summary>OTLP/HTTP answers a failed request with a google.rpc.Status (its code a gRPC code) in the request's encoding.</summary>
    private static IResult Failure(bool json, int status, string message)
    {
        var code = status switch
        {
            StatusCodes.Status400BadRequest => 3, // INVALID_ARGUMENT
            StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests => 8, // RESOURCE_EXHAUSTED
            _ => 14, // UNAVAILABLE
        };
        return Encoded(json, new RpcStatus { Code = code, Message = message }, status);
    }

    private static IResult Encoded(bool json, IMessage message, int status) => json
        ? Results.Text(OtlpJson.Format(message), Json, statusCode: status)
        : new ProtobufResult(message.ToByteArray(), status);

    /// <summary>A protobuf body with its status (Results.Bytes sets none).</summary>
    private sealed class ProtobufResult(byte[] body, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = Protobuf;
            httpContext.Response.ContentLength = body.Length;
            await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
