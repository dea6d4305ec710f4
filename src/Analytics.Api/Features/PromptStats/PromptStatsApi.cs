using Analytics.Api.Infrastructure;
using Analytics.Api.Features.PromptStats;
using Analytics.Api.Features.Shared;
using Analytics.Api.Telemetry;

// In the root namespace so that Hosting maps it without another using.
namespace Analytics.Api.Features.PromptStats;

/// <summary>The prompt-template stats API (seed 000), drop-in compatible with the analytics vendor.</summary>
public static class PromptStatsApi
{
    private static readonly EngineUnavailableFilter Unavailable =
        new(message => TypedResults.Json(new AnalyticsResponse<object>(50300, message, null), statusCode: StatusCodes.Status503ServiceUnavailable));

    public static IEndpointRouteBuilder MapPromptStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/analytics/saas/prompt-templates/stats", PromptStatsHandler.HandleAsync)
            .WithName("PostPromptTemplateStats")
            .WithMetadata(new QueryApi("prompt_stats"))
            .WithTags("Analytics SaaS")
            .WithSummary("Batch prompt-template statistics for a calendar period.")
            .WithDescription(
                "Calls, cost and a zero-filled daily call sparkline per requested prompt template over [dateFrom, dateTo] (UTC days, both inclusive). " +
                "Needs a `read` credential and `X-Workspace-Id` naming its workspace. Errors carry the envelope with data null: " +
                "40001 body not valid JSON, 40050 prompt_ids missing or empty, 40005 over 500 ids, 40002 a date not YYYY-MM-DD, " +
                "40003 dateFrom after dateTo, 40004 window over 366 days (HTTP 400); 40100 no or invalid credential (401); " +
                "40300 wrong workspace or scope (403).")
            .DocumentsJsonBody<PromptStatsBody>(required: true)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status400BadRequest)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status401Unauthorized)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status403Forbidden)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter(Unavailable);
        app.MapPost("/v1/analytics/saas/prompt-templates/top", TopTemplatesHandler.HandleAsync)
            .WithName("PostTopPromptTemplates")
            .WithMetadata(new QueryApi("prompt_top"))
            .WithTags("Analytics SaaS")
            .WithSummary("The most-called prompt templates of a calendar period, with their calls and cost.")
            .WithDescription(
                "Templates with calls in [dateFrom, dateTo] (UTC days, both inclusive), most calls first (then cost, then id), at most " +
                "`limit` of them (default 20, at most 500: as many as one stats request takes), with the same total_calls and cost_sum " +
                "the stats API answers for them, and total_templates, how many had calls at all. Not part of the vendor's API: it is " +
                "how a client that does not know the ids yet, such as the dashboard, finds them. Same credential, header and envelope " +
                "as the stats API; errors 40001, 40002, 40003, 40004 as there, and 40006 limit not an integer from 1 to 500 (HTTP 400); " +
                "40100 (401); 40300 (403).")
            .DocumentsJsonBody<TopTemplatesBody>(required: true)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status400BadRequest)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status401Unauthorized)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status403Forbidden)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<AnalyticsResponse<object>>(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter(Unavailable);
        return app;
    }
}
