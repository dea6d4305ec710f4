namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    [Test]
    public async Task Ingestion_ShowsTheCountsQuarantinedLinesAndSpool_AsTheApiAnswers()
    {
        var page = await SignInAsync(adminKey);
        await OpenViewAsync(page, "Ingestion", "ingestion");

        var stats = await GetAsync(adminKey, "/v1/ingestion/stats");
        var quarantine = await GetAsync(adminKey, "/v1/ingestion/quarantine?limit=20");
        var figures = await page.Locator("#view [data-field]").EvaluateAllAsync<Dictionary<string, string>>(
            "els => Object.fromEntries(els.map(e => [e.dataset.field, e.dataset.value]))");
        var reasons = await page.Locator("#quarantine tbody th").AllInnerTextsAsync();

        Assert.Multiple(() =>
        {
            foreach (var window in new[] { "last_hour", "last_day" })
            {
                foreach (var count in new[] { "accepted", "duplicates", "quarantined" })
                {
                    Assert.That(long.Parse(figures[$"{window}.{count}"]), Is.EqualTo(stats.GetProperty(window).GetProperty(count).GetInt64()), $"{window}.{count}");
                }
            }

            // What the setup's ingestion answered is all this workspace ever got, within the hour.
            Assert.That(long.Parse(figures["last_hour.accepted"]), Is.EqualTo(ingested.Accepted));
            Assert.That(long.Parse(figures["last_hour.duplicates"]), Is.EqualTo(ingested.Duplicates).And.EqualTo(25));
            Assert.That(long.Parse(figures["last_hour.quarantined"]), Is.EqualTo(ingested.Quarantined).And.EqualTo(2));
            Assert.That(long.Parse(figures["spool_batches"]), Is.EqualTo(stats.GetProperty("spool_batches").GetInt64()));
            Assert.That(reasons, Is.EqualTo(quarantine.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("reason").GetString())));
            Assert.That(reasons, Has.Count.EqualTo(2));
        });
        await CloseAsync(page);
    }

    [Test]
    public async Task Ingestion_WithAReadKey_ShowsCountsButNotTheRawLines()
    {
        var page = await SignInAsync(readKey);
        await OpenViewAsync(page, "Ingestion", "ingestion");

        Assert.Multiple(async () =>
        {
            Assert.That(await page.Locator("#ingestion-counts").IsVisibleAsync(), Is.True);
            Assert.That(await page.Locator("#quarantine").CountAsync(), Is.Zero);
            Assert.That(await page.Locator("#view").InnerTextAsync(), Does.Contain("need an admin key"));
        });
        await CloseAsync(page);
    }

    [Test]
    public async Task EmptyWorkspace_EveryViewSaysThereIsNothingYet()
    {
        var page = await SignInAsync(emptyKey);
        await Assert.ThatAsync(() => page.Locator("#view").InnerTextAsync(), Does.Contain("No prompt template was called"));

        await OpenViewAsync(page, "Usage", "usage");
        await Assert.ThatAsync(() => page.Locator("#view").InnerTextAsync(), Does.Contain("No prompts"));

        await OpenViewAsync(page, "Credit extract", "extract");
        await Assert.ThatAsync(() => page.Locator("#view").InnerTextAsync(), Does.Contain("No usage matched."));
        await Assert.ThatAsync(() => page.Locator("#extract-summary [data-field=usersAtCap]").GetAttributeAsync("data-value"), Is.EqualTo("0"));

        await OpenViewAsync(page, "Ingestion", "ingestion");
        var counts = await page.Locator("#ingestion-counts [data-field]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)");
        Assert.That(counts, Is.EqualTo(Enumerable.Repeat("0", 6)));
        await Assert.ThatAsync(() => page.Locator("#view").InnerTextAsync(), Does.Contain("No line was quarantined."));
        await CloseAsync(page);
    }
}
