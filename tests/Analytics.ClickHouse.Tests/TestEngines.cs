using System.Diagnostics;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Loopback;

namespace Analytics.ClickHouse.Tests;

/// <summary>
/// Where the integration suites run: the embedded engine; the HTTP transport against ClickHouse's HTTP
/// interface served from the embedded engine on loopback (<see cref="LoopbackServer"/>), always; and the
/// HTTP transport against a real ClickHouse server when one can be had: <c>CLICKHOUSE_TEST_URL</c> names a
/// running one, or a Docker engine starts the official image. Without either, the server fixtures are
/// skipped with the reason.
/// </summary>
public static class TestEngines
{
    public const string Embedded = nameof(ClickHouseEngine.Embedded);
    public const string Http = nameof(ClickHouseEngine.Http);
    public const string Server = nameof(Server);

    /// <summary>The server image the HTTP suite runs against.</summary>
    public const string ServerImage = "clickhouse/clickhouse-server:25.8";

    private static readonly Lazy<Task<string?>> ServerUrl = new(StartServerAsync);
    private static readonly Lazy<Task<LoopbackServer>> Loopback = new(() => LoopbackServer.StartAsync(EmbeddedEngine.DataPath));
    private static string? skipReason;
    private static string? containerId;

    /// <summary>Creates a fresh database on <paramref name="engine"/> and returns an open connection to it.</summary>
    public static async Task<ClickHouseConnection> OpenDatabaseAsync(string engine, string name)
    {
        if (engine == Embedded)
        {
            return await EmbeddedEngine.OpenDatabaseAsync(name);
        }

        var url = engine == Http ? (await Loopback.Value).Url.ToString() : await ServerUrl.Value;
        if (url is null)
        {
            Assert.Ignore(skipReason ?? "No ClickHouse server for the server suite.");
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

        if (containerId is not null)
        {
            Run("docker", $"rm -f {containerId}");
        }
    }

    private static async Task<string?> StartServerAsync()
    {
        if (Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_URL") is { Length: > 0 } configured)
        {
            return configured;
        }

        var (infoExit, _) = Run("docker", "info --format {{.ServerVersion}}");
        if (infoExit != 0)
        {
            skipReason = "No ClickHouse server for the server suite: no Docker engine answers `docker info`, and CLICKHOUSE_TEST_URL is not set.";
            return null;
        }

        var (runExit, output) = Run("docker", $"run -d --rm -p 127.0.0.1::8123 -e CLICKHOUSE_SKIP_USER_SETUP=1 {ServerImage}");
        if (runExit != 0)
        {
            skipReason = $"Docker could not start {ServerImage}: {output}";
            return null;
        }

        containerId = output.Trim();
        var (_, port) = Run("docker", $"port {containerId} 8123/tcp");
        var url = "http://" + port.Trim().Split('\n')[0];
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(url + "/ping")).IsSuccessStatusCode)
                {
                    return url;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(500);
        }

        skipReason = $"{ServerImage} did not answer /ping within two minutes.";
        return null;
    }

    private static (int Exit, string Output) Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
