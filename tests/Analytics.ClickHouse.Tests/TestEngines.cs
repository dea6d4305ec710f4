using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Loopback;

namespace Analytics.ClickHouse.Tests;

/// <summary>
/// Where the integration suites run: the embedded engine; the HTTP transport against ClickHouse's HTTP
/// interface served from the embedded engine on loopback (<see cref="LoopbackServer"/>), always; and the
/// HTTP transport against a real ClickHouse server when one can be had (<see cref="OfficialServer"/>:
/// <c>CLICKHOUSE_TEST_URL</c> names a running one, or Testcontainers starts the official image where a Docker
/// engine answers). Without either, the server fixtures are skipped with the reason.
/// </summary>
public static class TestEngines
{
    public const string Embedded = nameof(ClickHouseEngine.Embedded);
    public const string Http = nameof(ClickHouseEngine.Http);
    public const string Server = nameof(Server);

    private static readonly Lazy<Task<LoopbackServer>> Loopback = new(() => LoopbackServer.StartAsync(EmbeddedEngine.DataPath));

    /// <summary>Creates a fresh database on <paramref name="engine"/> and returns an open connection to it.</summary>
    public static async Task<ClickHouseConnection> OpenDatabaseAsync(string engine, string name)
    {
        if (engine == Embedded)
        {
            return await EmbeddedEngine.OpenDatabaseAsync(name);
        }

        var (url, why) = engine == Http ? ((await Loopback.Value).Url, null) : await OfficialServer.UrlAsync();
        if (url is null)
        {
            Assert.Ignore(why ?? "No ClickHouse server for the server suite.");
        }

        var database = "t_" + name.ToLowerInvariant();
        await using (var setup = new ClickHouseConnection($"Engine=Http;Url={url};Database=default"))
        {
            await setup.OpenAsync();
            await using var command = setup.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)} SYNC";
            await command.ExecuteNonQueryAsync();
            command.CommandText = $"CREATE DATABASE {ClickHouseSql.QuoteIdentifier(database)}";
            await command.ExecuteNonQueryAsync();
        }

        var connection = new ClickHouseConnection($"Engine=Http;Url={url};Database={database}");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The loopback server the <see cref="Http"/> fixtures talk to, started on first use.</summary>
    public static Task<LoopbackServer> LoopbackAsync() => Loopback.Value;

    /// <summary>Stops the loopback server and removes the container the suite started, if any.</summary>
    public static void StopServer()
    {
        if (Loopback.IsValueCreated)
        {
            Loopback.Value.GetAwaiter().GetResult().DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        OfficialServer.StopAsync().GetAwaiter().GetResult();
    }
}
