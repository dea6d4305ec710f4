using Analytics.Api.Auth;
using Analytics.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Ingestion;

/// <summary><c>POST /v1/events</c>: the gateway's way in.</summary>
public static partial class IngestionApi
{
    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events", IngestAsync)
            .WithName("IngestEvents")
            .WithTags("Ingestion")
            .WithSummary("Store call events: NDJSON (any content type but application/json), or a JSON array or object (application/json); gzip accepted.")
            .WithDescription(
                "Scope `ingest`. Required fields: event_id (1-64 chars), timestamp (RFC 3339 with offset), user_id. " +
                $"Text fields are at most {EventParser.MaxTextLength} characters (user_email {EventParser.MaxEmailLength}). " +
                "Invalid lines are quarantined and listed (first 100); valid ones are stored. `wait=false` answers 202 once buffered. " +
                "A full buffer answers 429 with Retry-After; ClickHouse unavailable for a waiting request answers 503 with Retry-After.")
            .DocumentsBody<EventInput[]>(required: true, "application/x-ndjson", "application/json")
            .Produces<IngestResponse>(StatusCodes.Status200OK)
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorResponse>(StatusCodes.Status403Forbidden)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> IngestAsync(
        HttpContext context,
        CredentialResolver credentials,
        EventWriter writer,
        TimeProvider time,
        Microsoft.Extensions.Options.IOptions<AnalyticsOptions> options,
        [FromQuery] bool? wait)
    {
        var credential = await credentials.ResolveAsync(context);
        if (credential is null)
        {
            return Error(StatusCodes.Status401Unauthorized, "missing or invalid credential");
        }

        var workspace = WorkspaceOf(credential, context.Request);
        if (workspace is null)
        {
            return Error(StatusCodes.Status400BadRequest, "the admin token acts for a workspace named in the X-Workspace-Id header");
        }

        if (!credential.Has(Scopes.Ingest) || !credential.CanAccess(workspace))
        {
            return Error(StatusCodes.Status403Forbidden, "the credential may not ingest into this workspace");
        }

        RequestBody? read;
        try
        {
            read = await ReadBodyAsync(context.Request, options.Value.Ingestion.MaxBodyBytes, context.RequestAborted);
        }
        catch (InvalidDataException ex)
        {
            // Not gzip, corrupt or cut short (GzipBody): the caller's mistake, and nothing of the body is stored, not
            // even the lines that were readable.
            return Error(StatusCodes.Status400BadRequest, $"the body is not valid gzip: {ex.Message}");
        }

        EventParser.Result parsed;
        using (var body = read)
        {
            if (body is null)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {options.Value.Ingestion.MaxBodyBytes} bytes");
            }

            var json = context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
            parsed = EventParser.Parse(body.Memory, json, workspace);
        }

        var receivedAt = time.GetUtcNow().UtcDateTime;

        var quarantined = parsed.Errors.Select(x => new QuarantinedLine(workspace, receivedAt, x.Line, x.Raw, x.Reason)).ToList();
        var errors = parsed.Errors.Take(100).Select(x => new LineError(x.Line, x.Reason)).ToList();
        if (parsed.Events.Count + quarantined.Count > options.Value.Ingestion.BufferCapacity)
        {
            parsed.Events.Dispose();
            return Error(StatusCodes.Status413PayloadTooLarge, $"a request may hold at most {options.Value.Ingestion.BufferCapacity} events; split it");
        }

        var waitForCommit = wait ?? true;
        // Repeats inside one request are duplicates at once; the writer catches repeats of committed ids.
        var request = new IngestRequest(workspace, parsed.Events, quarantined, waitForCommit);
        if (!writer.TryEnqueue(request))
        {
            request.Dispose();
            if (!writer.IsAccepting)
            {
                context.Response.Headers.RetryAfter = "5";
                return Error(StatusCodes.Status503ServiceUnavailable, "the service is shutting down; nothing from this request was stored");
            }

            context.Response.Headers.RetryAfter = "1";
            return Error(StatusCodes.Status429TooManyRequests, "the ingestion buffer is full; retry after a second");
        }

        if (!waitForCommit)
        {
            // Ids committed before this request are known now; the writer still drops any repeat it meets later.
            var known = writer.Dedup.Find(request.Keys, new bool[request.Keys.Length]);
            return Results.Json(new IngestResponse(request.Count - known, request.Repeated + known, quarantined.Count, errors), statusCode: StatusCodes.Status202Accepted);
        }

        try
        {
            var outcome = await request.Outcome;
            return Results.Json(new IngestResponse(outcome.Accepted, outcome.Duplicates + request.Repeated, quarantined.Count, errors));
        }
        catch (StoreUnavailableException ex)
        {
            context.Response.Headers.RetryAfter = "5";
            return Error(StatusCodes.Status503ServiceUnavailable, ex.Message);
        }
    }

    /// <summary>The workspace a request acts in: the credential's, or the X-Workspace-Id header for the admin token.</summary>
    internal static string? WorkspaceOf(Credential credential, HttpRequest request) =>
        credential.WorkspaceId ?? (request.Headers["X-Workspace-Id"].ToString() is { Length: > 0 } header ? header : null);

    /// <summary>The body, gunzipped when it says so, or null when it is over <paramref name="limit"/> bytes.</summary>
    internal static async Task<RequestBody?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var expected = request.ContentLength ?? 0;
        if (!request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            // An announced length over the limit is refused before anything is read.
            return expected > limit ? null : await RequestBody.ReadAsync(request.Body, expected, limit, cancellationToken);
        }

        return await GzipBody.ReadAsync(request.Body, expected * 4, limit, cancellationToken); // a guess: NDJSON compresses well
    }

    private static IResult Error(int status, string message) => ErrorResponse.Result(status, message);
}

/// <summary>What was stored: accepted, duplicate and quarantined counts and the first 100 line errors.</summary>
public sealed record IngestResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("accepted")] int Accepted,
    [property: System.Text.Json.Serialization.JsonPropertyName("duplicates")] int Duplicates,
    [property: System.Text.Json.Serialization.JsonPropertyName("quarantined")] int Quarantined,
    [property: System.Text.Json.Serialization.JsonPropertyName("errors")] IReadOnlyList<LineError> Errors);

/// <summary>One refused line: its 1-based number and why.</summary>
public sealed record LineError(
    [property: System.Text.Json.Serialization.JsonPropertyName("line")] int Line,
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error);
