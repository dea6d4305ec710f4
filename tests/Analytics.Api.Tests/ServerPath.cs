#if SERVER_PATH
using Analytics.ClickHouse.Loopback;

namespace Analytics.Api.Tests;

/// <summary>The loopback ClickHouse HTTP interface the server-path suite's services talk to, one per test run.</summary>
[SetUpFixture]
public sealed class ServerPath
{
    private static readonly Lazy<LoopbackServer> Server = new(() =>
        LoopbackServer.StartAsync(Path.Combine(AnalyticsFactory.DataPath, "clickhouse"), new LoopbackOptions { RecordRequests = false })
            .GetAwaiter().GetResult());

    public static Uri Url => Server.Value.Url;

    /// <summary>The server itself, for tests that make it fail.</summary>
    public static LoopbackServer Loopback => Server.Value;

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (Server.IsValueCreated)
        {
            await Server.Value.DisposeAsync();
        }
    }
}
#endif
