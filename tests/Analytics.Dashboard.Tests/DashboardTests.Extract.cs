using System.Net.Http.Headers;

namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    private const string ExtractPath = "/api/admin/histories/charts/user-stats";

    [Test]
    public async Task Extract_ShowsTheUserStatsApisRowsCapsAndSummary()
    {
        var page = await SignInAsync(adminKey);
        await OpenViewAsync(page, "Credit extract", "extract");

        await AssertExtractAsync(page, adminKey, new { granularity = "day" });
        var capped = await page.Locator("#extract-rows .cap.at-cap").CountAsync();
        Assert.That(capped, Is.GreaterThan(0), "user-00 and user-02 are over their caps");
        await Assert.ThatAsync(() => page.Locator("#extract-truncated").InnerTextAsync(), Does.StartWith("Truncated: no."));
        await CloseAsync(page);
    }

    [Test]
    public async Task Extract_Filters_AreTheUserStatsApisOwn()
    {
        var page = await SignInAsync(adminKey);
        await OpenViewAsync(page, "Credit extract", "extract");

        await page.GetByLabel("Granularity").SelectOptionAsync("week");
        await page.GetByLabel("Window", new() { Exact = true }).SelectOptionAsync("range");
        await page.GetByLabel("Periods back (negative)").FillAsync("-3");
        await page.GetByLabel("Institutions (space-separated ids)").FillAsync("inst-south");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run extract" }).ClickAsync();
        await ReadyAsync(page, "extract");
        await AssertExtractAsync(page, adminKey, new { granularity = "week", range = -3, institution = "inst-south" });

        await page.GetByLabel("Granularity").SelectOptionAsync("month");
        await page.GetByLabel("Window", new() { Exact = true }).SelectOptionAsync("daterange");
        await page.GetByLabel("Start (UTC, included)").FillAsync(DaysAgo(20));
        await page.GetByLabel("End (UTC, excluded)").FillAsync(DaysAgo(5));
        await page.GetByLabel("Institutions (space-separated ids)").FillAsync(string.Empty);
        await page.GetByLabel("Accounts (space-separated ids)").FillAsync("acc-1");
        await page.GetByLabel("Role").SelectOptionAsync("user");
        await page.GetByLabel("User email or name contains").FillAsync("o");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run extract" }).ClickAsync();
        await ReadyAsync(page, "extract");
        await AssertExtractAsync(page, adminKey, new
        {
            granularity = "month",
            daterange = new { start = $"{DaysAgo(20)}T00:00:00Z", end = $"{DaysAgo(5)}T00:00:00Z" },
            account = "acc-1",
            role = "user",
            usersearch = "o",
        });
        await CloseAsync(page);
    }

    [Test]
    public async Task Extract_CsvDownload_IsTheApisCsvOfTheSameRequest()
    {
        var page = await SignInAsync(adminKey);
        await OpenViewAsync(page, "Credit extract", "extract");
        await page.GetByLabel("Granularity").SelectOptionAsync("week");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run extract" }).ClickAsync();
        await ReadyAsync(page, "extract");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV of this request" }).ClickAsync());
        var path = await download.PathAsync();
        var csv = await File.ReadAllTextAsync(path);

        using var client = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, ExtractPath) { Content = JsonContent.Create(new { granularity = "week" }) };
        request.Headers.Add("x-access-token", adminKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await client.SendAsync(request);
        var expected = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(download.SuggestedFilename, Does.EndWith(".csv"));
            Assert.That(csv, Is.EqualTo(expected));
            Assert.That(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.GreaterThan(1));
        });
        await CloseAsync(page);
    }

    [Test]
    public async Task Extract_Truncated_IsSaidPlainly()
    {
        var page = await SignInAsync(bigKey);
        await OpenViewAsync(page, "Credit extract", "extract");

        var answer = await PostAsync(bigKey, ExtractPath, new { granularity = "day" }, "x-access-token", workspace: null);
        Assert.Multiple(async () =>
        {
            Assert.That(answer.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(await page.Locator("#extract-truncated").GetAttributeAsync("data-truncated"), Is.EqualTo("true"));
            Assert.That(await page.Locator("#extract-truncated").InnerTextAsync(), Does.StartWith("Truncated: yes."));
            Assert.That(await page.Locator("#extract-rows tbody tr").CountAsync(), Is.EqualTo(5000));
        });
        await CloseAsync(page);
    }

    [Test]
    public async Task Extract_WithAReadOnlyKey_SaysItNeedsAdmin()
    {
        var page = await SignInAsync(readKey);
        await OpenViewAsync(page, "Credit extract", "scope");

        await Assert.ThatAsync(() => page.Locator("#view").InnerTextAsync(), Does.Contain("needs a key with the admin scope"));
        await CloseAsync(page);
    }

    [Test]
    public async Task AnApiError_IsShownAsAMessage_AndTheFormStays()
    {
        var page = await SignInAsync(adminKey);
        await OpenViewAsync(page, "Credit extract", "extract");

        await page.GetByLabel("Window", new() { Exact = true }).SelectOptionAsync("daterange");
        await page.GetByLabel("Start (UTC, included)").FillAsync(DaysAgo(2));
        await page.GetByLabel("End (UTC, excluded)").FillAsync(DaysAgo(9));
        await page.GetByRole(AriaRole.Button, new() { Name = "Run extract" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await Assert.ThatAsync(() => alert.InnerTextAsync(), Is.EqualTo("The service answered 400: daterange.start must not be after daterange.end"));
        await Assert.ThatAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Run extract" }).IsVisibleAsync(), Is.True);
        await CloseAsync(page);
    }

    /// <summary>The page's rows, truncation and summary are C's answer to <paramref name="body"/>.</summary>
    private async Task AssertExtractAsync(IPage page, string key, object body)
    {
        var answer = await PostAsync(key, ExtractPath, body, "x-access-token", workspace: null);
        var expected = answer.GetProperty("data").EnumerateArray().ToList();
        var rows = await RowsAsync(page, "#extract-rows tbody tr");
        var summary = answer.GetProperty("summary");
        var figures = await page.Locator("#extract-summary [data-field]").EvaluateAllAsync<Dictionary<string, string>>(
            "els => Object.fromEntries(els.map(e => [e.dataset.field, e.dataset.value ?? '']))");

        Assert.That(expected, Is.Not.Empty, JsonSerializer.Serialize(body));
        Assert.That(rows, Has.Length.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, r) = (expected[i], rows[i]);
            Assert.Multiple(() =>
            {
                Assert.That((r["user"], r["institution"], r["period"]), Is.EqualTo((e.GetProperty("user").GetString(), e.GetProperty("institution").GetString(), e.GetProperty("periodStart").GetString())));
                Assert.That(long.Parse(r["queryCount"]), Is.EqualTo(e.GetProperty("queryCount").GetInt64()));
                Assert.That(Dec(r["creditsUsed"]), Is.EqualTo(Dec(e.GetProperty("creditsUsed"))));
                Assert.That(Dec(r["lifetimeUsed"]), Is.EqualTo(Dec(e.GetProperty("lifetimeUsed"))));
                Assert.That(OrNull(r["capLimit"]), Is.EqualTo(OrNull(e.GetProperty("capLimit"))));
                Assert.That(OrNull(r["capUsedPct"]), Is.EqualTo(OrNull(e.GetProperty("capUsedPct"))));
                Assert.That(r["atCap"], Is.EqualTo(e.GetProperty("atCap").GetBoolean() ? "true" : "false"));
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(Dec(figures["meanCreditsPerUserAccount"]), Is.EqualTo(Dec(summary.GetProperty("meanCreditsPerUserAccount"))));
            Assert.That(Dec(figures["meanCreditsPerUserInstitution"]), Is.EqualTo(Dec(summary.GetProperty("meanCreditsPerUserInstitution"))));
            Assert.That(long.Parse(figures["usersAtCap"]), Is.EqualTo(summary.GetProperty("usersAtCap").GetInt64()));
            Assert.That(long.Parse(figures["rows"]), Is.EqualTo(expected.Count));
        });
    }

    private static decimal? OrNull(string text) => text.Length == 0 ? null : Dec(text);

    private static decimal? OrNull(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : Dec(value);
}
