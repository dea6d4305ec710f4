using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Loopback;
using Analytics.ClickHouse.Transport.Embedded;
using Analytics.ClickHouse.Transport.Http;

namespace Analytics.Benchmarks;

/// <summary>
/// The benchmark process's one embedded engine, on a fresh temporary data folder. Every benchmark
/// class runs in this process (in-process toolchain) and works in a database of its own.
/// </summary>
internal static class BenchmarkEngine
{
    private static readonly Lock Gate = new();
    private static bool booted;
    private static LoopbackServer? loopback;
    private static LoopbackServer? inProcess;

    public static string DataPath { get; } = Path.Combine(Path.GetTempPath(), "analytics-benchmarks-" + Environment.ProcessId);

    public static string ConnectionString(string database) => $"Engine=Embedded;Path={DataPath};Database={database}";

    /// <summary>Creates (or recreates) <paramref name="database"/> and returns an open connection to it.</summary>
    public static async Task<ClickHouseConnection> OpenDatabaseAsync(string database)
    {
        var quoted = ClickHouseSql.QuoteIdentifier(database);
        var connection = new ClickHouseConnection(ConnectionString("default"));
        await connection.OpenAsync();
        lock (Gate)
        {
            booted = true;
        }

        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"DROP DATABASE IF EXISTS {quoted}";
            await command.ExecuteNonQueryAsync();
            command.CommandText = $"CREATE DATABASE {quoted}";
            await command.ExecuteNonQueryAsync();
        }

        connection.ChangeDatabase(database);
        return connection;
    }

    /// <summary>
    /// A connection to <paramref name="database"/> (made by <see cref="OpenDatabaseAsync"/>) on the server path:
    /// ClickHouse.Driver over HTTP to the loopback server, which answers from this process's engine. What it
    /// costs beyond the embedded connection is the server path's own cost plus the loopback server's, which
    /// a real server does not have; no ClickHouse server runs on these machines.
    /// </summary>
    public static async Task<ClickHouseConnection> OpenServerPathAsync(string database)
    {
        var server = Loopback(ref loopback, inProcess: false);
        var connection = new ClickHouseConnection($"Engine=Http;Url={server.Url};Database={database};Compression=false");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// A connection to <paramref name="database"/> through the server transport (ClickHouse.Driver) over a
    /// handler that answers from this process's engine with no socket in between: the embedded engine as a
    /// transport of the driver.
    /// </summary>
    public static async Task<ClickHouseConnection> OpenDriverInProcessAsync(string database)
    {
        var server = Loopback(ref inProcess, inProcess: true);
        var connectionString = $"Engine=Http;Url={server.Url};Database={database};Compression=false";
        ClickHouseConnection.UseTransport(connectionString, new DriverTransport(server.Url, null, null, compression: false, server.CreateHandler()));
        var connection = new ClickHouseConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    // The loopback server in `slot`, started over this process's engine on first use.
    private static LoopbackServer Loopback(ref LoopbackServer? slot, bool inProcess)
    {
        lock (Gate)
        {
            if (!booted)
            {
                throw new InvalidOperationException("Open a database through the provider before the server path.");
            }

            return slot ??= LoopbackServer.StartAsync(DataPath, new LoopbackOptions { RecordRequests = false, InProcess = inProcess }).GetAwaiter().GetResult();
        }
    }

    /// <summary>The loopback server's address, once <see cref="OpenServerPathAsync"/> has started it.</summary>
    public static Uri LoopbackUrl => loopback?.Url ?? throw new InvalidOperationException("The loopback server has not been started.");

    /// <summary>Drops the database <see cref="OpenDatabaseAsync"/> made for <paramref name="connection"/> and closes it.</summary>
    public static async Task DropDatabaseAsync(ClickHouseConnection connection)
    {
        await using (connection)
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"DROP DATABASE {ClickHouseSql.QuoteIdentifier(connection.Database)}";
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A chDB connection of its own, for the baselines that call the engine with no provider code in between.</summary>
    public static RawChDbConnection OpenRaw()
    {
        // The provider must have booted the engine first: it loads the library and tames its signal handlers.
        lock (Gate)
        {
            if (!booted)
            {
                throw new InvalidOperationException("Open a database through the provider before opening a raw engine connection.");
            }
        }

        return new RawChDbConnection(DataPath);
    }

    /// <summary>Closes the engine and deletes its data; a process that exits with open engine connections can crash at teardown.</summary>
    public static void Shutdown()
    {
        lock (Gate)
        {
            if (!booted)
            {
                return;
            }

            loopback?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            loopback = null;
            inProcess?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            inProcess = null;
            ChDbEngine.Open(DataPath, null, ClickHouseDefaults.PoolSize).Close();
            booted = false;
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder; nothing depends on it.
        }
    }
}
