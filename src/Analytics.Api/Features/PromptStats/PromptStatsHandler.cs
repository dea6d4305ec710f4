using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Features.PromptStats;

/// <summary><c>POST /v1/analytics/saas/prompt-templates/stats</c>: calls, cost and a daily sparkline per prompt template.</summary>
internal static class PromptStatsHandler
{
    public static async Task<Results<Ok<AnalyticsResponse<PromptStatsData>>, JsonHttpResult<AnalyticsResponse<object>>>> HandleAsync(
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

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<PromptStatsRow>(new CommandDefinition(
            SqlFiles.Query("prompt_stats"),
            QueryParameters.From(new { workspace = access.WorkspaceId, ids = request.PromptIds, from = request.From, to = request.To }),
            cancellationToken: cancellationToken))).ToList();

        PromptStatsLog.Served(logger, access.WorkspaceId!, request.PromptIds.Length, request.Days, rows.Count);
        return TypedResults.Ok(new AnalyticsResponse<PromptStatsData>(0, "success", Map(request, rows)));
    }

    /// <summary>Every requested id, zeros included, with one sparkline point per day of the window.</summary>
    internal static PromptStatsData Map(PromptStatsRequest request, IReadOnlyCollection<PromptStatsRow> rows)
    {
        var byPrompt = rows.ToLookup(r => r.PromptId, StringComparer.Ordinal);
        var stats = new Dictionary<string, PromptTemplateStats>(request.PromptIds.Length, StringComparer.Ordinal);
        foreach (var id in request.PromptIds)
        {
            var days = byPrompt[id].ToDictionary(r => r.Day);
            var sparkline = Enumerable.Range(0, request.Days)
                .Select(offset => request.From.AddDays(offset))
                .Select(day => new SparklinePoint(day, days.TryGetValue(day, out var row) ? row.Calls : 0))
                .ToArray();
            stats[id] = new PromptTemplateStats(days.Values.Sum(r => r.Calls), JsonDecimal.Normalize(days.Values.Sum(r => r.Cost)), sparkline);
        }

        return new PromptStatsData(stats);
    }
}
