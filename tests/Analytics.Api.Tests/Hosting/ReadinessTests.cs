#if SERVER_PATH && !SERVER_IMAGE
using Analytics.ClickHouse.Loopback;
#endif

namespace Analytics.Api.Tests.Hosting;

/// <summary><c>/readyz</c>: 503 with the reason until the instance can take traffic; <c>/healthz</c> stays liveness.</summary>
[NonParallelizable]
public sealed class ReadinessTests
{
    [Test]
    public async Task AStartedInstance_IsReady()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("readiness_ready");
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/readyz");
        var body = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ready"));
            Assert.That(body.GetProperty("checks").GetProperty("migrations").GetString(), Is.EqualTo("done"));
            Assert.That(body.GetProperty("checks").GetProperty("dedup_window").GetString(), Is.EqualTo("loaded"));
            Assert.That(body.GetProperty("checks").GetProperty("engine").GetString(), Is.EqualTo("ok"));
        });
    }

    [Test]
    public async Task WhileTheDedupWindowCannotBeLoaded_ItIsNotReady_AndSaysWhy_ThenReadyOnceItLoads()
    {
        // A database migrated by an earlier start, whose events table is then out of reach: the next start
        // migrates nothing and cannot load the committed ids, so its writer keeps retrying.
        const string Name = "readiness_dedup";
        await (await AnalyticsFactory.StartFreshAsync(Name)).DisposeAsync();
        await using (var connection = await new AnalyticsFactory(Name).OpenConnectionAsync())
        {
            await connection.ExecuteAsync("RENAME TABLE events TO events_aside");
        }

        await using var factory = new AnalyticsFactory(Name, new() { ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.100" });
        using var client = factory.CreateClient();
        using var health = await client.GetAsync("/healthz");

        var response = await client.GetAsync("/readyz");
        var body = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "alive all the same");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("not_ready"));
            Assert.That(body.GetProperty("checks").GetProperty("migrations").GetString(), Is.EqualTo("done"));
            Assert.That(body.GetProperty("checks").GetProperty("dedup_window").GetString(), Does.StartWith("loading"));
            Assert.That(body.GetProperty("checks").GetProperty("engine").GetString(), Is.EqualTo("ok"));
        });

        await using (var connection = await factory.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("RENAME TABLE events_aside TO events");
        }

        await factory.WriterReadyAsync();
        var ready = await client.GetAsync("/readyz");
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "ready once the window is loaded");
        Assert.That((await ready.JsonAsync()).GetProperty("checks").GetProperty("dedup_window").GetString(), Is.EqualTo("loaded"));
    }

#if SERVER_PATH && !SERVER_IMAGE
    [Test]
    public async Task WhileTheServerDoesNotAnswer_ItIsNotReady_WithTheReason_ThenReadyAgain()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("readiness_engine");
        using var client = factory.CreateClient();
        try
        {
            ServerPath.Loopback.Inject(new LoopbackFault.Fail(503), times: int.MaxValue, when: r => IsProbe(r, factory));

            var response = await client.GetAsync("/readyz");
            var body = await response.JsonAsync();

            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("not_ready"));
                Assert.That(body.GetProperty("checks").GetProperty("engine").GetString(), Does.StartWith("unreachable: "));
                Assert.That(body.GetProperty("checks").GetProperty("migrations").GetString(), Is.EqualTo("done"));
                Assert.That(body.GetProperty("checks").GetProperty("dedup_window").GetString(), Is.EqualTo("loaded"));
            });
        }
        finally
        {
            ServerPath.Loopback.ClearFaults();
        }

        // The engine's answer is kept for a second; the next probe after that sees the server back.
        Assert.That(async () => (await client.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK).After(10_000, 100));
    }

    private static bool IsProbe(LoopbackRequest request, AnalyticsFactory factory) =>
        request.Url.GetValueOrDefault("database") == factory.Database && request.Sql.Trim() == "SELECT 1";
#endif
}
