using Analytics.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Hosting;

/// <summary>Brings the schema up to date before the service takes traffic.</summary>
public sealed class SchemaStartup(SchemaMigrator migrator, IOptions<AnalyticsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(options.Value.Database, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
