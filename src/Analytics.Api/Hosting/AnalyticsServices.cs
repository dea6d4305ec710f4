using Analytics.Api.Auth;
using Analytics.Api.Control;
using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion;
using Analytics.Api.Ingestion.Otlp;
using Analytics.Api.Telemetry;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Hosting;

/// <summary>Registers everything the service needs.</summary>
public static class AnalyticsServices
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.Configure();
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ClickHouseConnectionFactory>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<RetentionMigrator>();
        services.AddSingleton<ApiKeyStore>();
        services.AddHttpClient(nameof(JwksKeySource), client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<JwksKeySource>();
        services.AddSingleton<JwtValidator>();
        services.AddSingleton<CredentialResolver>();
        services.AddCredentialAuthorization();
        services.AddSingleton<ControlStore>();
        services.AddSingleton<ForgetJournal>();
        services.AddSingleton<HistoryForgetter>();
        services.AddTelemetry(configuration);
        services.AddIngestion();
        services.AddSingleton<Readiness>();

        // The schema must exist before anything else starts: registered first, started first.
        services.AddHostedService<SchemaStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<EventWriter>());
        services.AddHostedService<OtlpGrpcHost>();

        services.AddOpenApi(options => options.DocumentsAllowedValues());
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        return services;
    }
}
