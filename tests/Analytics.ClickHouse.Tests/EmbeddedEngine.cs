using Analytics.ClickHouse.ADO;

namespace Analytics.ClickHouse.Tests;

/// <summary>
/// The test run's one embedded engine (one per process), on a fresh data folder. Each fixture gets
/// a database of its own so that fixtures never see each other's tables.
/// </summary>
[SetUpFixture]
public sealed class EmbeddedEngine
{
    public static string DataPath { get; } = Path.Combine(Path.GetTempPath(), "analytics-provider-tests-" + Environment.ProcessId);

    public static string ConnectionString(string database) => $"Engine=Embedded;Path={DataPath};Database={database}";

    /// <summary>Creates a database named after the calling fixture and returns an open connection to it.</summary>
    public static async Task<ClickHouseConnection> OpenDatabaseAsync(string name)
    {
        var database = "t_" + name.ToLowerInvariant();
        await using (var setup = new ClickHouseConnection(ConnectionString("default")))
        {
            await setup.OpenAsync();
            await using var command = setup.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)}";
            await command.ExecuteNonQueryAsync();
            command.CommandText = $"CREATE DATABASE {ClickHouseSql.QuoteIdentifier(database)}";
            await command.ExecuteNonQueryAsync();
        }

        var connection = new ClickHouseConnection(ConnectionString(database));
        await connection.OpenAsync();
        return connection;
    }

    [OneTimeTearDown]
    public void DeleteData()
    {
        TestEngines.StopServer();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // The engine may still hold files until the process exits; the folder is in the temp directory.
        }
    }
}
