using System.Security.Cryptography;
using System.Text;
using Analytics.ClickHouse;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Analytics.Api.Telemetry;

/// <summary>
/// Metrics and traces through OpenTelemetry: the service's meter, ASP.NET Core's and the runtime's, scraped
/// as Prometheus text on <c>/metrics</c>; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, metrics, traces (each
/// request and each engine statement) and logs also go over OTLP.
/// </summary>
public static class TelemetryServices
{
    public const string MetricsPath = "/metrics";

    // Scrapes and probes come every few seconds and say nothing about the traffic: no spans for them.
    private static readonly HashSet<string> Untraced = new(StringComparer.OrdinalIgnoreCase) { MetricsPath, "/healthz", "/readyz" };

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<AnalyticsMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: configuration["OTEL_SERVICE_NAME"] ?? "analytics"))
            .WithMetrics(metrics => metrics
                .AddMeter(AnalyticsMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                // Every scrape collects afresh: Prometheus scrapes every few seconds, and an answer cached for a
                // moment would show a count from before the request that was just answered.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        if (otlp)
        {
            // Traces only where they go somewhere: without an exporter they would cost an activity per request for nothing.
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(ClickHouseDiagnostics.ActivitySourceName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !Untraced.Contains(context.Request.Path.Value ?? string.Empty)))
                .UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Times the query APIs and serves <c>GET /metrics</c> (behind <c>Analytics:Metrics:Token</c> when one is set).</summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<AnalyticsMetrics>();
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<QueryApi>() is not { } api)
            {
                await next(context);
                return;
            }

            var start = AnalyticsMetrics.Start();
            try
            {
                await next(context);
            }
            finally
            {
                metrics.Queried(api.Name, AnalyticsMetrics.Since(start), context.Response.StatusCode);
            }
        });

        var token = app.Services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.Metrics.Token;
        app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: branch =>
            {
                if (!string.IsNullOrEmpty(token))
                {
                    branch.Use((context, next) => HasToken(context, token) ? next(context) : Refuse(context));
                }
            }, optionsName: null)
            .WithName("Metrics").WithTags("Health").WithSummary("Metrics in Prometheus text format.")
            .ExcludeFromDescription();
        return app;
    }

    private static bool HasToken(HttpContext context, string token)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }

    private static Task Refuse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
