using Analytics.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Hosting;

/// <summary>Brings the schema up to date before the service takes traffic.</summary>
public sealed class SchemaStartup(SchemaMigrator migrator, RetentionMigrator retention, Readiness readiness, IOptions<AnalyticsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(options.Value.Database, cancellationToken);
        await retention.ApplyAsync(cancellationToken);
        readiness.MigrationsDone();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
