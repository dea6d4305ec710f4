namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    private const string AnyProduct = "00000000-0000-0000-0000-000000000000";

    [Test]
    public async Task Usage_ChartAndTable_AddUpThePromptUsageApisRows()
    {
        var page = await SignInAsync(readKey);
        await OpenViewAsync(page, "Usage", "usage");

        await AssertUsageAsync(page, $"start_date={DaysAgo(29)}&end_date={Today}");
        var bars = await page.Locator("svg.bars rect.bar").CountAsync();
        Assert.That(bars, Is.EqualTo(30));
        await CloseAsync(page);
    }

    [Test]
    public async Task Usage_Filters_AreThePromptUsageApisOwn()
    {
        var page = await SignInAsync(readKey);
        await OpenViewAsync(page, "Usage", "usage");

        await page.GetByLabel("Origin").SelectOptionAsync("SLACK");
        await page.GetByLabel("User email or name contains").FillAsync("LOVE");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await ReadyAsync(page, "usage");
        await AssertUsageAsync(page, $"start_date={DaysAgo(29)}&end_date={Today}&search=LOVE&origin=SLACK");

        await page.GetByLabel("Origin").SelectOptionAsync(string.Empty);
        await page.GetByLabel("User email or name contains").FillAsync(string.Empty);
        await page.GetByLabel("Products").SelectOptionAsync(new[] { "Writer", "Search" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await ReadyAsync(page, "usage");
        await AssertUsageAsync(page, $"start_date={DaysAgo(29)}&end_date={Today}&product_ids={SampleData.Products[1].Id}&product_ids={SampleData.Products[2].Id}");
        Assert.That((await RowsAsync(page, "#usage-users tbody tr")).Select(r => r["product"]).Distinct(), Is.EquivalentTo(new[] { SampleData.Products[1].Id.ToString(), SampleData.Products[2].Id.ToString() }));

        await page.GetByLabel("User email or name contains").FillAsync("nobody-matches-this");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await ReadyAsync(page, "usage");
        await Assert.ThatAsync(() => page.Locator("#view").InnerTextAsync(), Does.Contain("No prompts"));
        await CloseAsync(page);
    }

    /// <summary>The page's per-day and per-product-and-user figures are sums of B's rows for the same query.</summary>
    private async Task AssertUsageAsync(IPage page, string query)
    {
        var rows = (await GetAsync(readKey, $"/api/v1/products/{AnyProduct}/usage/prompts?{query}", "X-API-Key")).EnumerateArray().ToList();
        var perDay = rows.GroupBy(r => r.GetProperty("date").GetString()!).ToDictionary(g => g.Key, g => g.Sum(r => r.GetProperty("prompt_count").GetInt64()));
        var perUser = rows.GroupBy(r => (r.GetProperty("product_id").GetString()!, r.GetProperty("user_id").GetString()!))
            .ToDictionary(g => g.Key, g => (Prompts: g.Sum(r => r.GetProperty("prompt_count").GetInt64()), Days: (long)g.Count()));

        var days = await page.Locator("#usage-days tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [r.dataset.date, r.querySelector('td').dataset.value])");
        var users = await RowsAsync(page, "#usage-users tbody tr");

        Assert.That(rows, Is.Not.Empty, query);
        Assert.Multiple(() =>
        {
            Assert.That(days.Where(d => d[1] != "0").ToDictionary(d => d[0], d => long.Parse(d[1])), Is.EquivalentTo(perDay), query);
            Assert.That(users.ToDictionary(u => (u["product"], u["user"]), u => (long.Parse(u["prompts"]), long.Parse(u["days"]))), Is.EquivalentTo(perUser), query);
        });
    }
}
