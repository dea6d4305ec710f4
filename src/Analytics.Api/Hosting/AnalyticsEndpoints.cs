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
        app.MapGet("/readyz", async (Readiness readiness) => await readiness.CheckAsync() is var report && report.Status == "ready"
                ? Results.Ok(report)
                : Results.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("Readyz").WithTags("Health")
            .WithSummary("Readiness probe: 503 until the schema is migrated and the de-duplication window loaded, and while the engine does not answer.")
            .Produces<Readiness.Report>()
            .Produces<Readiness.Report>(StatusCodes.Status503ServiceUnavailable);
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
