using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Features.PromptStats;

/// <summary>
/// What both endpoints of the prompt-template API check before they query, in this order and with its envelope
/// codes: a read credential for the workspace the header names, a body that is not content-encoded, and JSON
/// that parses into the endpoint's request. <see cref="ReadAsync"/> gives the request, or else the error to answer.
/// </summary>
internal static class PromptStatsInput
{
    public static async Task<(TRequest? Request, QueryAccess Access, JsonHttpResult<AnalyticsResponse<object>>? Error)> ReadAsync<TRequest>(
        HttpContext context,
        string? workspaceId,
        CredentialResolver credentials,
        ILogger logger,
        Func<JsonElement, (TRequest? Request, int Code, string Message)> parse,
        CancellationToken cancellationToken)
        where TRequest : class
    {
        var access = await QueryAccess.ResolveAsync(context, credentials, Scopes.Read, workspaceId, headerRequired: true);
        if (access.Failure != AccessFailure.None)
        {
            var code = access.Failure == AccessFailure.Unauthenticated ? PromptStatsErrors.Unauthorized : PromptStatsErrors.Forbidden;
            return (null, access, Error(logger, code, access.Message));
        }

        if (JsonRequestBody.ContentEncoding(context.Request) is { } encoding)
        {
            context.Response.Headers.AcceptEncoding = "identity";
            return (null, access, Error(logger, PromptStatsErrors.UnsupportedEncoding, JsonRequestBody.EncodedBodyMessage(encoding)));
        }

        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, cancellationToken);
            var (request, code, message) = parse(body.RootElement);
            return request is null ? (null, access, Error(logger, code, message)) : (request, access, null);
        }
        catch (JsonException)
        {
            return (null, access, Error(logger, PromptStatsErrors.InvalidJson, "the body is not valid JSON"));
        }
    }

    /// <summary>The envelope with data null, at the HTTP status the code's first three digits name; logged as a refusal.</summary>
    public static JsonHttpResult<AnalyticsResponse<object>> Error(ILogger logger, int code, string message)
    {
        PromptStatsLog.Rejected(logger, code, message);
        return TypedResults.Json(new AnalyticsResponse<object>(code, message, null), statusCode: PromptStatsErrors.Status(code));
    }
}
