namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    [Test]
    public async Task Templates_ShowTheTopTemplatesWithTheStatsApisCallsCostAndSparklines()
    {
        var page = await SignInAsync(readKey);

        await AssertTemplatesAsync(page, DaysAgo(29), Today);
        await CloseAsync(page);
    }

    [Test]
    public async Task Templates_FollowTheDateRangePicker_PresetsAndCustomDates()
    {
        var page = await SignInAsync(readKey);

        await page.GetByLabel("Window").SelectOptionAsync("7");
        await ReadyAsync(page, "templates");
        await AssertTemplatesAsync(page, DaysAgo(6), Today);

        await page.GetByLabel("Window").SelectOptionAsync("custom");
        await page.GetByLabel("From (UTC)").FillAsync(DaysAgo(20));
        await page.GetByLabel("To (UTC)").FillAsync(DaysAgo(10));
        await page.GetByLabel("To (UTC)").DispatchEventAsync("change");
        await ReadyAsync(page, "templates");
        await Assert.ThatAsync(() => page.Locator("#templates-table caption").InnerTextAsync(), Does.Contain($"from {DaysAgo(20)} to {DaysAgo(10)}"));
        await AssertTemplatesAsync(page, DaysAgo(20), DaysAgo(10));

        await page.GetByLabel("Window").SelectOptionAsync("90");
        await ReadyAsync(page, "templates");
        await AssertTemplatesAsync(page, DaysAgo(89), Today);
        await CloseAsync(page);
    }

    /// <summary>The page's rows are the top API's templates in its order, with exactly A's totals and sparkline for each.</summary>
    private async Task AssertTemplatesAsync(IPage page, string from, string to)
    {
        var top = await PostAsync(readKey, "/v1/analytics/saas/prompt-templates/top", new { dateFrom = from, dateTo = to, limit = 25 });
        var ids = top.GetProperty("data").GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("prompt_id").GetString()!).ToArray();
        var stats = (await PostAsync(readKey, "/v1/analytics/saas/prompt-templates/stats", new { dateFrom = from, dateTo = to, prompt_ids = ids }))
            .GetProperty("data").GetProperty("stats");

        var rows = await RowsAsync(page, "#templates-table tbody tr");

        Assert.That(ids, Is.Not.Empty);
        Assert.That(rows.Select(r => r["prompt"]), Is.EqualTo(ids));
        foreach (var row in rows)
        {
            var expected = stats.GetProperty(row["prompt"]);
            Assert.Multiple(() =>
            {
                Assert.That(long.Parse(row["calls"]), Is.EqualTo(expected.GetProperty("total_calls").GetInt64()), row["prompt"]);
                Assert.That(Dec(row["cost"]), Is.EqualTo(Dec(expected.GetProperty("cost_sum"))), row["prompt"]);
                Assert.That(row["sparkline"].Split(',').Select(long.Parse), Is.EqualTo(expected.GetProperty("call_sparkline").EnumerateArray().Select(p => p.GetProperty("value").GetInt64())), row["prompt"]);
            });
        }

        var firstCalls = await page.Locator("#templates-table tbody tr").First.Locator("[data-field=calls]").InnerTextAsync();
        Assert.That(firstCalls, Is.EqualTo(stats.GetProperty(ids[0]).GetProperty("total_calls").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
