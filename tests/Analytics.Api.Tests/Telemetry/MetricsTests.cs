namespace Analytics.Api.Tests.Telemetry;

/// <summary><c>GET /metrics</c>: the service's counters in Prometheus text, moving with what ingestion stored.</summary>
public sealed class MetricsTests
{
    [Test]
    public async Task AfterAnIngest_TheWorkspacesCountersMove()
    {
        const string Workspace = "ws-metrics";
        await using var factory = await AnalyticsFactory.StartFreshAsync("telemetry_metrics");
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest", "read"]));
        using var scraper = factory.CreateClient();

        var first = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("m-1"), Events.Line("m-2"), Events.Line("m-2"), "not an event"));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var afterFirst = await ScrapeAsync(scraper);

        var second = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("m-1"), Events.Line("m-3")));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var afterSecond = await ScrapeAsync(scraper);

        Assert.Multiple(() =>
        {
            Assert.That(Count(afterFirst, "analytics_events_accepted_total", Workspace), Is.EqualTo(2));
            Assert.That(Count(afterFirst, "analytics_events_duplicate_total", Workspace), Is.EqualTo(1), "m-2 repeated in the request");
            Assert.That(Count(afterFirst, "analytics_events_quarantined_total", Workspace), Is.EqualTo(1));
            Assert.That(Count(afterSecond, "analytics_events_accepted_total", Workspace), Is.EqualTo(3));
            Assert.That(Count(afterSecond, "analytics_events_duplicate_total", Workspace), Is.EqualTo(2), "m-1 sent again");
            Assert.That(Count(afterSecond, "analytics_events_quarantined_total", Workspace), Is.EqualTo(1));
            Assert.That(Count(afterSecond, "analytics_events_spooled_total", Workspace), Is.Zero);
        });
    }

    [Test]
    public async Task TheScrape_HoldsTheWritersGauges_TheInsertsAndTheQueries()
    {
        const string Workspace = "ws-metrics-gauges";
        await using var factory = await AnalyticsFactory.StartFreshAsync("telemetry_gauges");
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest", "read"]));
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        using var scraper = factory.CreateClient();
        Assert.That((await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("g-1"), Events.Line("g-2"), Events.Line("g-3")))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var stats = await client.PostAsync("/v1/analytics/saas/prompt-templates/stats",
            new StringContent("""{"dateFrom": "2026-01-01", "dateTo": "2026-01-31", "prompt_ids": ["p1"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(stats.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var samples = await ScrapeAsync(scraper);

        Assert.Multiple(() =>
        {
            Assert.That(Single(samples, "analytics_buffer_capacity"), Is.EqualTo(200_000), "the configured capacity");
            Assert.That(Single(samples, "analytics_buffer_events"), Is.Zero, "everything answered is stored");
            Assert.That(Single(samples, "analytics_spool_batches"), Is.Zero);
            Assert.That(Single(samples, "analytics_spool_age_seconds"), Is.Zero);
            Assert.That(Single(samples, "analytics_dedup_ids"), Is.EqualTo(3), "the three ids stored");
            Assert.That(Single(samples, "analytics_dedup_memory_bytes"), Is.EqualTo(factory.Services.GetRequiredService<Analytics.Api.Ingestion.EventWriter>().Dedup.MemoryBytes).And.GreaterThan(0));
            Assert.That(samples.Where(s => s.Name == "analytics_insert_batch_size_sum").Sum(s => s.Value), Is.GreaterThanOrEqualTo(3));
            Assert.That(samples.Where(s => s.Name == "analytics_insert_duration_seconds_count" && s.Labels.GetValueOrDefault("outcome") == "committed").Sum(s => s.Value), Is.GreaterThanOrEqualTo(1));
            Assert.That(samples.Where(s => s.Name == "analytics_query_duration_seconds_count" && s.Labels.GetValueOrDefault("api") == "prompt_stats").Sum(s => s.Value), Is.EqualTo(1));
            Assert.That(samples.Select(s => s.Name), Has.Some.StartsWith("http_server_request_duration_seconds"), "ASP.NET Core's instrumentation");
            Assert.That(samples.Select(s => s.Name), Has.Some.StartsWith("dotnet_"), "the runtime's instrumentation");
        });
    }

    [Test]
    public async Task WithAToken_TheScrapeNeedsIt()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("telemetry_token", new() { ["Analytics:Metrics:Token"] = "scrape-secret" });
        using var anonymous = factory.CreateClient();
        using var wrong = factory.CreateClient("not-the-secret");
        using var scraper = factory.CreateClient("scrape-secret");

        var refused = await anonymous.GetAsync("/metrics");
        var wrongToken = await wrong.GetAsync("/metrics");
        var allowed = await scraper.GetAsync("/metrics");

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrongToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await allowed.Content.ReadAsStringAsync(), Does.Contain("analytics_buffer_capacity"));
        });
    }

    private static async Task<List<PrometheusSample>> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "scrape-ready without a credential by default");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain").Or.EqualTo("application/openmetrics-text"));
        return PrometheusSample.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Count(List<PrometheusSample> samples, string name, string workspace) =>
        samples.Where(s => s.Name == name && s.Labels.GetValueOrDefault("workspace") == workspace).Sum(s => s.Value);

    private static double Single(List<PrometheusSample> samples, string name) => samples.Single(s => s.Name == name).Value;
}
