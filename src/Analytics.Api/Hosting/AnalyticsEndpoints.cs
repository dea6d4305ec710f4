using Analytics.Api.Control;
using Analytics.Api.Features.PromptStats;
using Analytics.Api.Features.PromptUsage;
using Analytics.Api.Features.UserStats;
using Analytics.Api.Ingestion;
using Analytics.Api.Ingestion.Otlp;
using Analytics.Api.Telemetry;

namespace Analytics.Api.Hosting;

/// <summary>Maps every API area.</summary>
public static class AnalyticsEndpoints
{
    public static WebApplication MapAnalytics(this WebApplication app)
    {
        app.UseDashboard();
        app.MapTelemetry();
        app.MapOpenApi();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).WithName("Healthz").WithTags("Health").WithSummary("Liveness probe.");
        app.MapGet("/v1/analytics/health", () => Results.Ok(new { code = 0, message = "success", data = new { status = "ok" } }))
            .WithName("AnalyticsHealth").WithTags("Health").WithSummary("Health of the analytics API; needs no credential.");

        app.MapAdminApi();
        app.MapCredentialApi();
        app.MapIngestionApi();
        app.MapOtlpTracesApi();
        app.MapIngestionStatsApi();
        app.MapControlApi();

        // Query APIs (prompt-template stats, prompt usage, user-stats extract).
        app.MapPromptStatsApi();
        app.MapPromptUsageApi();
        app.MapUserStatsApi();
        return app;
    }
}
