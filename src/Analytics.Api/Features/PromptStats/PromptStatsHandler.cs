using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Features.PromptStats;

/// <summary><c>POST /v1/analytics/saas/prompt-templates/stats</c>: calls, cost and a daily sparkline per prompt template.</summary>
internal static class PromptStatsHandler
{
    public static async Task<Results<EngineDocument<AnalyticsResponse<PromptStatsData>>, JsonHttpResult<AnalyticsResponse<object>>>> HandleAsync(
        HttpContext context,
        [FromHeader(Name = QueryAccess.WorkspaceHeader)] string? workspaceId,
        CredentialResolver credentials,
        ClickHouseConnectionFactory connections,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(PromptStatsHandler));
        var (request, access, error) = await PromptStatsInput.ReadAsync(context, workspaceId, credentials, logger, PromptStatsRequest.Parse, cancellationToken);
        if (request is null)
        {
            return error!;
        }

        // The engine writes the whole answer, zero-filled sparklines included (500 ids over 366 days are 183,000
        // points): no row or point becomes an object here.
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqlFiles.Query("prompt_stats");
        command.Parameters.AddWithValue("workspace", access.WorkspaceId!);
        command.Parameters.AddWithValue("ids", request.PromptIds);
        command.Parameters.AddWithValue("from", request.From);
        command.Parameters.AddWithValue("to", request.To);
        command.Parameters.AddWithValue("days", (uint)request.Days);
        var workspace = access.WorkspaceId!;
        return await EngineDocument<AnalyticsResponse<PromptStatsData>>.RunAsync(
            command, () => PromptStatsLog.Served(logger, workspace, request.PromptIds.Length, request.Days), cancellationToken);
    }
}
