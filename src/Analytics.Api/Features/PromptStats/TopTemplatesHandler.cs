using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Features.PromptStats;

/// <summary>
/// <c>POST /v1/analytics/saas/prompt-templates/top</c>: the window's most-called templates. The stats API
/// needs the ids up front; this is where a client that does not know them yet (the dashboard) gets them.
/// Same credential, header, envelope and window rules as the stats API.
/// </summary>
internal static class TopTemplatesHandler
{
    public static async Task<Results<Ok<AnalyticsResponse<TopTemplatesData>>, JsonHttpResult<AnalyticsResponse<object>>>> HandleAsync(
        HttpContext context,
        [FromHeader(Name = QueryAccess.WorkspaceHeader)] string? workspaceId,
        CredentialResolver credentials,
        ClickHouseConnectionFactory connections,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TopTemplatesHandler));
        var access = await QueryAccess.ResolveAsync(context, credentials, Scopes.Read, workspaceId, headerRequired: true);
        if (access.Failure != AccessFailure.None)
        {
            var code = access.Failure == AccessFailure.Unauthenticated ? PromptStatsErrors.Unauthorized : PromptStatsErrors.Forbidden;
            return Error(logger, code, access.Message);
        }

        if (JsonRequestBody.ContentEncoding(context.Request) is { } encoding)
        {
            context.Response.Headers.AcceptEncoding = "identity";
            return Error(logger, PromptStatsErrors.UnsupportedEncoding, JsonRequestBody.EncodedBodyMessage(encoding));
        }

        TopTemplatesRequest? request;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, cancellationToken);
            (request, var code, var message) = TopTemplatesRequest.Parse(body.RootElement);
            if (request is null)
            {
                return Error(logger, code, message);
            }
        }
        catch (JsonException)
        {
            return Error(logger, PromptStatsErrors.InvalidJson, "the body is not valid JSON");
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<TopTemplatesRow>(new CommandDefinition(
            SqlFiles.Query("prompt_top"),
            QueryParameters.From(new { workspace = access.WorkspaceId, from = request.From, to = request.To, limit = (uint)request.Limit }),
            cancellationToken: cancellationToken))).ToList();

        PromptStatsLog.ServedTop(logger, access.WorkspaceId!, request.Limit, rows.Count);
        var templates = rows.ConvertAll(r => new TopTemplate(r.PromptId, r.Calls, JsonDecimal.Normalize(r.Cost)));
        return TypedResults.Ok(new AnalyticsResponse<TopTemplatesData>(0, "success", new TopTemplatesData(templates, rows.Count == 0 ? 0 : rows[0].Templates)));
    }

    private static JsonHttpResult<AnalyticsResponse<object>> Error(ILogger logger, int code, string message)
    {
        PromptStatsLog.Rejected(logger, code, message);
        return TypedResults.Json(new AnalyticsResponse<object>(code, message, null), statusCode: PromptStatsErrors.Status(code));
    }
}
