#if SERVER_PATH && !SERVER_IMAGE
using Analytics.Api.Ingestion;
using Analytics.ClickHouse.Loopback;

namespace Analytics.Api.Tests.Telemetry;

/// <summary>The spool's metrics while the server refuses inserts, and once it takes them again.</summary>
[NonParallelizable]
public sealed class SpoolMetricsTests
{
    private const string Workspace = "ws-metrics-spool";

    [TearDown]
    public void ClearFaults() => ServerPath.Loopback.ClearFaults();

    [Test]
    public async Task WhileTheServerRefusesInserts_EventsAreCountedSpooled_ThenReplayed()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("telemetry_spool", new()
        {
            ["Analytics:Ingestion:InsertAttempts"] = "2",
            ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.200",
        });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        using var scraper = factory.CreateClient();
        var writer = factory.Services.GetRequiredService<EventWriter>();
        ServerPath.Loopback.Inject(new LoopbackFault.Fail(503), times: int.MaxValue, when: r =>
            r.Url.GetValueOrDefault("database") == factory.Database && LoopbackServer.IsInsert(r)
            && System.Text.RegularExpressions.Regex.IsMatch(r.Sql, @"INTO\s+`?events`?\s"));

        var response = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("sp-1"), Events.Line("sp-2"), Events.Line("sp-2")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(() => writer.Spool.Count, Is.EqualTo(1).After(10_000, 50), "arranged: the batch waits in the spool");
        var down = PrometheusSample.Parse(await scraper.GetStringAsync("/metrics"));

        ServerPath.Loopback.ClearFaults();
        Assert.That(() => writer.Spool.Count, Is.Zero.After(10_000, 50), "arranged: the spool drains");
        var up = PrometheusSample.Parse(await scraper.GetStringAsync("/metrics"));

        Assert.Multiple(() =>
        {
            Assert.That(Count(down, "analytics_events_spooled_total"), Is.EqualTo(2));
            Assert.That(Count(down, "analytics_events_duplicate_total"), Is.EqualTo(1), "the repeat in the request");
            Assert.That(Count(down, "analytics_events_replayed_total"), Is.Zero);
            Assert.That(Count(down, "analytics_events_accepted_total"), Is.Zero);
            Assert.That(down.Single(s => s.Name == "analytics_spool_batches").Value, Is.EqualTo(1));
            Assert.That(down.Single(s => s.Name == "analytics_spool_age_seconds").Value, Is.GreaterThan(0), "read from the waiting file's name");
            Assert.That(down.Where(s => s.Name == "analytics_insert_duration_seconds_count" && s.Labels.GetValueOrDefault("outcome") == "failed").Sum(s => s.Value), Is.GreaterThanOrEqualTo(2), "both attempts, and any replay tried since");
            Assert.That(Count(up, "analytics_events_replayed_total"), Is.EqualTo(2));
            Assert.That(Count(up, "analytics_events_spooled_total"), Is.EqualTo(2));
            Assert.That(up.Single(s => s.Name == "analytics_spool_batches").Value, Is.Zero);
        });
    }

    private static double Count(List<PrometheusSample> samples, string name) =>
        samples.Where(s => s.Name == name && s.Labels.GetValueOrDefault("workspace") == Workspace).Sum(s => s.Value);
}
#endif
