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
        var (request, access, error) = await PromptStatsInput.ReadAsync(context, workspaceId, credentials, logger, TopTemplatesRequest.Parse, cancellationToken);
        if (request is null)
        {
            return error!;
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
}
