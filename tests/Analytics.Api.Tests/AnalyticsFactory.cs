using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion;
using Analytics.ClickHouse.ADO;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace Analytics.Api.Tests;

/// <summary>
/// The real service over the real embedded engine. All factories of a test run share the engine's
/// one data path; each gets its own database (and spool folder), so tests never see each other's data.
/// Built with SERVER_PATH (the Analytics.Api.ServerTests project), the service runs on the server path
/// instead: Engine=Http against ClickHouse's HTTP interface served from that same engine on loopback, so
/// that what a test arranges or checks through <see cref="OpenConnectionAsync"/> is what the service sees.
/// Built with SERVER_IMAGE as well (Analytics.Api.ServerImageTests), the server is the official image, and
/// tests arrange and check through it.
/// </summary>
public sealed class AnalyticsFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token";
    public const string JwtKey = "test-jwt-signing-key-with-enough-length";

    internal static readonly string DataPath = Path.Combine(Path.GetTempPath(), "analytics-api-tests-" + Environment.ProcessId);
    private readonly Dictionary<string, string?> overrides;
    private readonly Action<IServiceCollection>? serviceOverrides;

    public AnalyticsFactory(string database, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Database = "t_" + database.ToLowerInvariant();
        SpoolPath = Path.Combine(DataPath, "spool-" + Database);
        overrides = settings ?? [];
        serviceOverrides = services;
    }

    public string Database { get; }

    public string SpoolPath { get; }

    /// <summary>Where the service's data is, for arranging and checking it: the engine the service talks to.</summary>
    public string ConnectionString => EngineConnectionString(Database);

    /// <summary>Drops this factory's database so that a fresh one is made at start.</summary>
    public static async Task<AnalyticsFactory> StartFreshAsync(string database, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var factory = new AnalyticsFactory(database, settings, services);
        await using (var connection = new ClickHouseConnection(EngineConnectionString("default")))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS `{factory.Database}` SYNC";
            await command.ExecuteNonQueryAsync();
        }

        if (Directory.Exists(factory.SpoolPath))
        {
            Directory.Delete(factory.SpoolPath, recursive: true);
        }

        _ = factory.Server; // starts the host: migrations run, the writer starts
        await factory.WriterReadyAsync();
        return factory;
    }

#if SERVER_IMAGE
    internal static string EngineConnectionString(string database) => $"Engine=Http;Url={ServerPath.Url};Database={database}";
#else
    internal static string EngineConnectionString(string database) => $"Engine=Embedded;Path={Path.Combine(DataPath, "clickhouse")};Database={database}";
#endif

    /// <summary>
    /// Waits until the event writer has loaded the committed ids and writes batches, so that a test
    /// which then takes the events table away exercises the write path, not the start-up wait.
    /// </summary>
    public Task WriterReadyAsync() => Services.GetRequiredService<EventWriter>().Ready.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>An open connection to this factory's database, for arranging and checking data.</summary>
    public async Task<ClickHouseConnection> OpenConnectionAsync()
    {
        var connection = new ClickHouseConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Creates an API key through the admin API and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string workspace, string[] scopes, Guid? productId = null)
    {
        using var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        var response = await client.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = workspace, scopes, product_id = productId });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>A client that presents <paramref name="key"/> as a bearer token.</summary>
    public HttpClient CreateClient(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["Analytics:DataPath"] = Path.Combine(DataPath, "clickhouse"),
            ["Analytics:Database"] = Database,
            ["Analytics:AdminToken"] = AdminToken,
            ["Analytics:JwtSigningKey"] = JwtKey,
            ["Analytics:Ingestion:SpoolPath"] = SpoolPath,
            ["Analytics:Ingestion:FlushInterval"] = "00:00:00.050",
        };
#if SERVER_PATH
        settings["Analytics:Engine"] = "Http";
        settings["Analytics:ServerUrl"] = ServerPath.Url.ToString();
#endif
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
            if (key.StartsWith("OTEL_", StringComparison.Ordinal))
            {
                // Read while the services are registered (as the environment variables they stand for are), before
                // the app configuration below is added.
                builder.UseSetting(key, value);
            }
        }

        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        if (serviceOverrides is not null)
        {
            builder.ConfigureTestServices(serviceOverrides);
        }
    }
}
