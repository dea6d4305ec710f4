using Analytics.Api.Auth;
using Analytics.Api.Control;
using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion;
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
        services.AddSingleton(sp => new JwtValidator(sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value.JwtSigningKey, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CredentialResolver>();
        services.AddSingleton<ControlStore>();
        services.AddTelemetry(configuration);
        services.AddIngestion();
        services.AddSingleton<Readiness>();

        // The schema must exist before anything else starts: registered first, started first.
        services.AddHostedService<SchemaStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<EventWriter>());

        services.AddOpenApi(options => options.DocumentsAllowedValues());
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        return services;
    }
}
