#if SERVER_PATH
using Analytics.ClickHouse.Loopback;

namespace Analytics.Api.Tests;

#if SERVER_IMAGE
/// <summary>
/// The official ClickHouse server image the server-image suite's services talk to, one per test run; without a
/// Docker engine (or CLICKHOUSE_TEST_URL) every test of the suite is skipped with the reason.
/// </summary>
[SetUpFixture]
public sealed class ServerPath
{
    private static Uri? url;

    public static Uri Url => url ?? throw new InvalidOperationException("The server has not been started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var (started, why) = await OfficialServer.UrlAsync();
        if (started is null)
        {
            Assert.Ignore(why ?? "No ClickHouse server for the server-image suite.");
        }

        url = started;
    }

    [OneTimeTearDown]
    public Task StopAsync() => OfficialServer.StopAsync();
}
#else
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
#endif
