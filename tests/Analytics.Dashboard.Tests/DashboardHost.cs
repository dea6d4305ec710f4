using System.Net.Http.Headers;
using Analytics.Api.Ingestion;
using Analytics.ClickHouse.ADO;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The real service on a real socket, for a browser: Kestrel on 127.0.0.1 with a port of its own, the embedded
/// engine in this test run's folder, and a database made fresh for the fixture.
/// </summary>
public sealed class DashboardHost : WebApplicationFactory<Program>
{
    public const string AdminToken = "dashboard-admin-token";
    public const string JwtKey = "dashboard-jwt-signing-key-long-enough-for-hs256";

    internal static readonly string DataPath = Path.Combine(Path.GetTempPath(), "analytics-dashboard-tests-" + Environment.ProcessId);

    private DashboardHost(string database)
    {
        Database = "d_" + database.ToLowerInvariant();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public string Database { get; }

    /// <summary>Where the service listens, such as http://127.0.0.1:41234.</summary>
    public Uri Address { get; private set; } = null!;

    private string EnginePath => Path.Combine(DataPath, "clickhouse");

    public static async Task<DashboardHost> StartFreshAsync(string database)
    {
        var host = new DashboardHost(database);
        await using (var connection = new ClickHouseConnection($"Engine=Embedded;Path={host.EnginePath};Database=default"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS `{host.Database}` SYNC";
            await command.ExecuteNonQueryAsync();
        }

        host.StartServer();
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        host.Address = new Uri(addresses.Single());
        await host.Services.GetRequiredService<EventWriter>().Ready.WaitAsync(TimeSpan.FromSeconds(60));
        return host;
    }

    /// <summary>A client of the real socket, presenting <paramref name="token"/> as a bearer token when given.</summary>
    public HttpClient Client(string? token = null, string? workspace = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (workspace is not null)
        {
            client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        }

        return client;
    }

    /// <summary>Creates an API key through the admin API; returns its id and secret.</summary>
    public async Task<(string Id, string Key)> CreateKeyAsync(string workspace, params string[] scopes)
    {
        using var client = Client(AdminToken);
        using var response = await client.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = workspace, scopes });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("id").GetString()!, body.RootElement.GetProperty("key").GetString()!);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Analytics:DataPath"] = EnginePath,
            ["Analytics:Database"] = Database,
            ["Analytics:AdminToken"] = AdminToken,
            ["Analytics:JwtSigningKey"] = JwtKey,
            ["Analytics:Ingestion:SpoolPath"] = Path.Combine(DataPath, "spool-" + Database),
            ["Analytics:Ingestion:FlushInterval"] = "00:00:00.050",
        }));
    }
}
