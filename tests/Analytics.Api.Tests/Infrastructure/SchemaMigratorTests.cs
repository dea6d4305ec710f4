using Analytics.Api.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Tests.Infrastructure;

public sealed class SchemaMigratorTests
{
    [Test]
    public async Task Migrations_ApplyOnce_EvenWhenStartedConcurrentlyAndAgainOnRestart()
    {
        // The service's own database is in use by its writer; the migrator gets one of its own.
        await using var factory = await AnalyticsFactory.StartFreshAsync(nameof(SchemaMigratorTests));
        var database = factory.Database + "_migrated";
        await using var connection = await factory.OpenConnectionAsync();
        await connection.ExecuteAsync($"DROP DATABASE IF EXISTS `{database}` SYNC");
        var options = Options.Create(new AnalyticsOptions { DataPath = factory.Services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.DataPath, Database = database });
        var migrator = new SchemaMigrator(new ClickHouseConnectionFactory(options), NullLogger<SchemaMigrator>.Instance);

        // Eight at once: side by side, one ahead would drop what one behind is about to use (014 drops what 010 makes).
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => migrator.MigrateAsync(database, CancellationToken.None)));
        await migrator.MigrateAsync(database, CancellationToken.None);

        await using var fresh = new Analytics.ClickHouse.ADO.ClickHouseConnection(options.Value.ConnectionString);
        await fresh.OpenAsync();
        var applied = (await fresh.QueryAsync<string>("SELECT DISTINCT name FROM schema_migrations ORDER BY name")).ToList();
        var files = SqlFiles.Migrations().Select(m => m.Name).ToList();
        Assert.That(applied, Is.EqualTo(files));
        Assert.That(await fresh.ExecuteScalarAsync<ulong>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'prompt_daily_mv'"), Is.EqualTo(1UL));
    }

    [Test]
    public void Statements_AreSplitAtLineEndingSemicolons_AndCommentOnlyChunksDropped()
    {
        var statements = SchemaMigrator.Statements("-- header\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\n-- only a comment;\nCREATE VIEW b AS SELECT ';' AS s;\n").ToList();

        Assert.That(statements, Has.Count.EqualTo(2));
        Assert.That(statements[1], Is.EqualTo("CREATE VIEW b AS SELECT ';' AS s"));
    }
}
