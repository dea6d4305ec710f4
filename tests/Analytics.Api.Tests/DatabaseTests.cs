using Analytics.Api.Infrastructure;
using Analytics.ClickHouse.ADO;

namespace Analytics.Api.Tests;

/// <summary>
/// Tests that arrange and check data in a database of their own: the service is started on it once for
/// the class, with a connection to it kept open.
/// </summary>
public abstract class DatabaseTests(string database)
{
    protected AnalyticsFactory Factory { get; private set; } = null!;

    protected ClickHouseConnection Connection { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServiceAsync()
    {
        Factory = await AnalyticsFactory.StartFreshAsync(database);
        Connection = await Factory.OpenConnectionAsync();
    }

    [OneTimeTearDown]
    public async Task StopServiceAsync()
    {
        await Connection.DisposeAsync();
        await Factory.DisposeAsync();
    }

    /// <summary>Runs a schema migration's statements again, as on a database written before it.</summary>
    protected async Task RerunMigrationAsync(string name)
    {
        foreach (var statement in SchemaMigrator.Statements(SqlFiles.Migrations().Single(m => m.Name == name).Sql))
        {
            await Connection.ExecuteAsync(statement);
        }
    }
}
