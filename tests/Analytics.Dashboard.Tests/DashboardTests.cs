using System.Globalization;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The dashboard in Chromium against the real service: one service, one database and one browser for the
/// fixture, a fresh browser context (so a fresh sessionStorage) for each test. The numbers on the page are
/// checked against the APIs' own answers to the same requests.
/// </summary>
[NonParallelizable]
public sealed partial class DashboardTests
{
    private const string Workspace = "acme";
    private const string EmptyWorkspace = "empty-co";
    private const string BigWorkspace = "bigco";
    private const string LoadWorkspace = "acme-load";

    private DashboardHost host = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private string readKey = null!;
    private string adminKey = null!;
    private string emptyKey = null!;
    private string bigKey = null!;
    private string loadKey = null!;
    private (long Accepted, long Duplicates, long Quarantined) ingested;

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string DaysAgo(int days) => DateTime.UtcNow.Date.AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Chromium.RequireInstalled();
        host = await DashboardHost.StartFreshAsync("dashboard");
        readKey = (await host.CreateKeyAsync(Workspace, "read")).Key;
        adminKey = (await host.CreateKeyAsync(Workspace, "read", "admin")).Key;
        emptyKey = (await host.CreateKeyAsync(EmptyWorkspace, "read", "admin")).Key;
        bigKey = (await host.CreateKeyAsync(BigWorkspace, "read", "admin")).Key;
        loadKey = (await host.CreateKeyAsync(LoadWorkspace, "read", "admin")).Key;

        using (var ingest = host.Client((await host.CreateKeyAsync(Workspace, "ingest")).Key))
        {
            var lines = SampleData.Events(1_500);
            // A re-sent batch and two lines the gateway got wrong: duplicates and quarantined lines to show.
            lines.AddRange(lines.Take(25));
            lines.Add("{\"event_id\":\"bad-1\",\"timestamp\":\"yesterday\",\"user_id\":\"user-01\"}");
            lines.Add("{\"event_id\":\"bad-2\",\"timestamp\":\"2026-01-15T10:00:00Z\"}");
            ingested = await SampleData.IngestAsync(ingest, lines);
        }

        using var admin = host.Client(adminKey);
        await SampleData.SetCapAsync(admin, "user-00", 40m);
        await SampleData.SetCapAsync(admin, "user-01", 1_000m);
        await SampleData.SetCapAsync(admin, "user-02", 30m);

        using (var ingest = host.Client((await host.CreateKeyAsync(BigWorkspace, "ingest")).Key))
        {
            await SampleData.IngestAsync(ingest, SampleData.ManyUsers(5_050));
        }

        var (traffic, caps) = SampleData.LoadTestTraffic(40_000);
        using (var ingest = host.Client((await host.CreateKeyAsync(LoadWorkspace, "ingest")).Key))
        {
            await SampleData.IngestAsync(ingest, traffic);
        }

        using var loadAdmin = host.Client(loadKey);
        foreach (var (user, cap) in caps)
        {
            await SampleData.SetCapAsync(loadAdmin, user, cap);
        }

        (playwright, browser) = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>A fresh tab of a laptop's size (1366 x 768) in a context of its own, at the dashboard.</summary>
    private async Task<IPage> OpenAsync()
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync("/");
        return page;
    }

    /// <summary>Signs in through the form and waits for the first view to be filled.</summary>
    private async Task<IPage> SignInAsync(string key, string view = "templates")
    {
        var page = await OpenAsync();
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ReadyAsync(page, view);
        return page;
    }

    private static async Task OpenViewAsync(IPage page, string name, string view)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await ReadyAsync(page, view);
    }

    /// <summary>
    /// Waits for a view to finish: filled (<c>data-ready</c> is its name), refused for the key's scopes
    /// (<c>scope</c>) or failed (<c>error</c>). Waiting for those values, not for any, keeps the mark
    /// the previous view left from passing for this one before the hash change reaches the page.
    /// Fails with the page's message if the view ended other than as <paramref name="view"/>.
    /// </summary>
    private static async Task ReadyAsync(IPage page, string view)
    {
        var done = page.Locator(string.Join(", ", new[] { view, "scope", "error" }.Distinct()
            .Select(v => $"#view[data-ready='{v}']:not([aria-busy='true'])")));
        await done.WaitForAsync();
        var ready = await done.GetAttributeAsync("data-ready");
        if (ready != view)
        {
            Assert.Fail($"view {view} did not fill: {await page.Locator("#view").InnerTextAsync()}");
        }
    }

    private static async Task CloseAsync(IPage page) => await page.Context.CloseAsync();

    /// <summary>Rows of a table as the values its cells carry in data-value, by data-field.</summary>
    private static Task<Dictionary<string, string>[]> RowsAsync(IPage page, string selector) =>
        page.Locator(selector).EvaluateAllAsync<Dictionary<string, string>[]>(
            @"rows => rows.map(r => Object.fromEntries([...r.querySelectorAll('[data-field]')].map(c => [c.dataset.field, c.dataset.value ?? c.dataset.values])
                .concat(Object.entries(r.dataset))))");

    private async Task<JsonElement> PostAsync(string key, string path, object body, string credentialHeader = "Authorization", string? workspace = Workspace)
    {
        using var client = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        Credential(request, key, credentialHeader, workspace);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> GetAsync(string key, string path, string credentialHeader = "Authorization")
    {
        using var client = host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        Credential(request, key, credentialHeader, null);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static void Credential(HttpRequestMessage request, string key, string header, string? workspace)
    {
        if (header == "Authorization")
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        else
        {
            request.Headers.Add(header, key);
        }

        if (workspace is not null)
        {
            request.Headers.Add("X-Workspace-Id", workspace);
        }
    }

    /// <summary>A number as the API wrote it and as the page carries it compare as decimals.</summary>
    private static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static decimal Dec(JsonElement value) => Dec(value.GetRawText());
}
