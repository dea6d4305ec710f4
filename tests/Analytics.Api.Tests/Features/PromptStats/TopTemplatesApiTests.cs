using System.Net.Http.Headers;
using System.Text;
using Analytics.Api.Auth;
using static Analytics.Api.Tests.Features.TestEvent;

namespace Analytics.Api.Tests.Features.PromptStats;

/// <summary>POST /v1/analytics/saas/prompt-templates/top against totals computed here, and against the stats API's own answer.</summary>
public sealed class TopTemplatesApiTests : DatabaseTests
{
    private const string Path = "/v1/analytics/saas/prompt-templates/top";
    private const string Workspace = "top_main";
    private const string Other = "top_other";

    private readonly List<TestEvent> events = [];
    private string readKey = null!;

    public TopTemplatesApiTests()
        : base("features_top_templates")
    {
    }

    [OneTimeSetUp]
    public async Task ArrangeAsync()
    {
        readKey = await Factory.CreateKeyAsync(Workspace, [Scopes.Read]);
        var random = new Random(14);
        var start = Utc(2025, 3, 1);
        for (var i = 0; i < 2000; i++)
        {
            // Zipf-like: template k is called about 1/k as often, so the order is clear but ties happen in the tail.
            var template = (int)Math.Floor(Math.Pow(30, random.NextDouble()));
            events.Add(new TestEvent(random.Next(6) == 0 ? Other : Workspace, "u" + random.Next(9), start.AddMinutes(random.Next(60 * 24 * 40)))
            {
                PromptId = random.Next(12) == 0 ? string.Empty : "tpl-" + template,
                Cost = random.Next(1_000_000) / 1_000_000m,
                HistoryId = "h" + random.Next(50),
            });
        }

        await InsertAsync(Factory, events);
    }

    [TestCase("2025-03-01", "2025-04-09", 20)]
    [TestCase("2025-03-10", "2025-03-10", 5)]
    [TestCase("2025-03-01", "2025-03-31", 500)]
    [TestCase("2025-02-01", "2025-02-28", 10)]
    public async Task Top_IsTheWindowsMostCalledTemplates_WithTheirTotals(string from, string to, int limit)
    {
        var expected = Expected(DateOnly.Parse(from), DateOnly.Parse(to));

        using var body = await PostOkAsync(new { dateFrom = from, dateTo = to, limit });

        var data = body.RootElement.GetProperty("data");
        var listed = data.GetProperty("templates").EnumerateArray()
            .Select(t => (t.GetProperty("prompt_id").GetString()!, t.GetProperty("total_calls").GetInt64(), t.GetProperty("cost_sum").GetDecimal()))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(listed, Is.EqualTo(expected.Take(limit)));
            Assert.That(data.GetProperty("total_templates").GetInt64(), Is.EqualTo(expected.Count));
        });
    }

    [Test]
    public async Task Limit_DefaultsToTwenty()
    {
        using var body = await PostOkAsync(new { dateFrom = "2025-03-01", dateTo = "2025-04-09" });

        Assert.That(body.RootElement.GetProperty("data").GetProperty("templates").GetArrayLength(), Is.EqualTo(Math.Min(20, Expected(new(2025, 3, 1), new(2025, 4, 9)).Count)));
    }

    [Test]
    public async Task Totals_AreWhatTheStatsApiAnswersForTheSameIds()
    {
        using var top = await PostOkAsync(new { dateFrom = "2025-03-05", dateTo = "2025-03-25", limit = 8 });
        var templates = top.RootElement.GetProperty("data").GetProperty("templates").EnumerateArray().ToList();
        using var client = Client(readKey);
        using var response = await client.PostAsJsonAsync("/v1/analytics/saas/prompt-templates/stats",
            new { dateFrom = "2025-03-05", dateTo = "2025-03-25", prompt_ids = templates.Select(t => t.GetProperty("prompt_id").GetString()) });
        var stats = (await response.JsonAsync()).GetProperty("data").GetProperty("stats");

        Assert.That(templates, Has.Count.EqualTo(8));
        foreach (var template in templates)
        {
            var id = template.GetProperty("prompt_id").GetString()!;
            Assert.Multiple(() =>
            {
                Assert.That(template.GetProperty("total_calls").GetInt64(), Is.EqualTo(stats.GetProperty(id).GetProperty("total_calls").GetInt64()), id);
                Assert.That(template.GetProperty("cost_sum").GetRawText(), Is.EqualTo(stats.GetProperty(id).GetProperty("cost_sum").GetRawText()), id);
            });
        }
    }

    [Test]
    public async Task EmptyWorkspace_ListsNothing()
    {
        var key = await Factory.CreateKeyAsync("top_empty", [Scopes.Read]);
        using var client = Client(key, "top_empty");

        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2025-03-01", dateTo = "2025-03-31" });
        var body = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("data").GetProperty("templates").GetArrayLength(), Is.Zero);
            Assert.That(body.GetProperty("data").GetProperty("total_templates").GetInt64(), Is.Zero);
        });
    }

    [TestCase("{\"dateFrom\":\"2025-03-01\",\"dateTo\":\"2025-03-02\",\"limit\":0}", 40006)]
    [TestCase("{\"dateFrom\":\"2025-03-01\",\"dateTo\":\"2025-03-02\",\"limit\":501}", 40006)]
    [TestCase("{\"dateFrom\":\"2025-03-01\",\"dateTo\":\"2025-03-02\",\"limit\":\"5\"}", 40006)]
    [TestCase("{\"dateFrom\":\"2025-03-01\",\"dateTo\":\"2025-03-02\",\"limit\":2.5}", 40006)]
    [TestCase("{\"dateFrom\":\"2025-3-1\",\"dateTo\":\"2025-03-02\"}", 40002)]
    [TestCase("{\"dateTo\":\"2025-03-02\"}", 40002)]
    [TestCase("{\"dateFrom\":\"2025-03-03\",\"dateTo\":\"2025-03-02\"}", 40003)]
    [TestCase("{\"dateFrom\":\"2024-01-01\",\"dateTo\":\"2025-01-01\"}", 40004)]
    [TestCase("[1]", 40001)]
    [TestCase("{", 40001)]
    public async Task BadBodies_GetTheEnvelopeWithTheirCode(string json, int code)
    {
        using var client = Client(readKey);
        using var response = await client.PostAsync(Path, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(400));
            Assert.That(body.GetProperty("code").GetInt32(), Is.EqualTo(code));
            Assert.That(body.GetProperty("data").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task Credentials_AreCheckedAsByTheStatsApi()
    {
        var ingestOnly = await Factory.CreateKeyAsync(Workspace, [Scopes.Ingest]);
        var payload = new { dateFrom = "2025-03-01", dateTo = "2025-03-02" };
        using var none = Client(null);
        using var wrongScope = Client(ingestOnly);
        using var wrongWorkspace = Client(readKey, Other);
        using var noHeader = Client(readKey, workspace: null);

        Assert.Multiple(async () =>
        {
            Assert.That((await none.PostAsJsonAsync(Path, payload)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await wrongScope.PostAsJsonAsync(Path, payload)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await wrongWorkspace.PostAsJsonAsync(Path, payload)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await noHeader.PostAsJsonAsync(Path, payload)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task ForgottenHistories_DropOutOfTheList()
    {
        var from = new DateOnly(2025, 4, 1);
        var to = new DateOnly(2025, 4, 9);
        var before = Expected(from, to);
        var forgotten = events.Where(e => e.Workspace == Workspace && e.Day >= from && e.Day <= to && e.PromptId == before[0].Id)
            .Select(e => e.HistoryId).Distinct().ToArray();
        await Factory.ForgetAsync(Workspace, forgotten);
        events.RemoveAll(e => e.Workspace == Workspace && forgotten.Contains(e.HistoryId));

        using var body = await PostOkAsync(new { dateFrom = "2025-04-01", dateTo = "2025-04-09", limit = 500 });

        var listed = body.RootElement.GetProperty("data").GetProperty("templates").EnumerateArray()
            .Select(t => (t.GetProperty("prompt_id").GetString()!, t.GetProperty("total_calls").GetInt64(), t.GetProperty("cost_sum").GetDecimal()));
        Assert.That(listed, Is.EqualTo(Expected(from, to)));
        Assert.That(listed.Select(t => t.Item1), Does.Not.Contain(before[0].Id));
    }

    /// <summary>The window's templates in the order the API promises: calls, then cost, descending, then id.</summary>
    private List<(string Id, long Calls, decimal Cost)> Expected(DateOnly from, DateOnly to) =>
        events.Where(e => e.Workspace == Workspace && e.PromptId.Length > 0 && e.Day >= from && e.Day <= to)
            .GroupBy(e => e.PromptId)
            .Select(g => (Id: g.Key, Calls: (long)g.Count(), Cost: g.Sum(e => e.Cost)))
            .OrderByDescending(t => t.Calls).ThenByDescending(t => t.Cost).ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();

    private async Task<JsonDocument> PostOkAsync(object payload)
    {
        using var client = Client(readKey);
        using var response = await client.PostAsJsonAsync(Path, payload);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text);
    }

    private HttpClient Client(string? key, string? workspace = Workspace)
    {
        var client = Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (workspace is not null)
        {
            client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        }

        return client;
    }
}
