using System.Text;
using Analytics.Api.Auth;
using static Analytics.Api.Tests.Features.TestEvent;

namespace Analytics.Api.Tests.Features.PromptStats;

/// <summary>POST /v1/analytics/saas/prompt-templates/stats against aggregates computed here from the inserted events.</summary>
public sealed class PromptStatsApiTests
{
    private const string Path = "/v1/analytics/saas/prompt-templates/stats";
    private const string Workspace = "ps_main";
    private const string Other = "ps_other";
    private static readonly string[] Prompts = ["tpl-a", "tpl-b", "tpl-c"];
    private static readonly string[] OddIds = ["quote\"d", "back\\slash", "a/b", "tab\tand\nnewline", "caf\u00e9 \u6a21\u677f \ud83d\ude80", "<script>&amp;"];

    private readonly List<TestEvent> events = [];
    private AnalyticsFactory factory = null!;
    private string readKey = null!;
    private string otherReadKey = null!;
    private string adminOnlyKey = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        factory = await AnalyticsFactory.StartFreshAsync("features_prompt_stats");
        readKey = await factory.CreateKeyAsync(Workspace, [Scopes.Read]);
        otherReadKey = await factory.CreateKeyAsync(Other, [Scopes.Read]);
        adminOnlyKey = await factory.CreateKeyAsync(Workspace, [Scopes.Admin, Scopes.Ingest]);

        var random = new Random(4);
        var start = Utc(2024, 1, 1);
        for (var i = 0; i < 3000; i++)
        {
            var at = start.AddMilliseconds(random.NextInt64((long)TimeSpan.FromDays(91).TotalMilliseconds));
            events.Add(new TestEvent(random.Next(5) == 0 ? Other : Workspace, "u" + random.Next(20), at)
            {
                PromptId = random.Next(10) == 0 ? string.Empty : Prompts[random.Next(Prompts.Length)],
                Cost = random.Next(1_000_000) / 1_000_000_000m + random.Next(3),
            });
        }

        // The edges of a UTC day, to the millisecond.
        events.Add(new TestEvent(Workspace, "edge", Utc(2024, 1, 31, 23, 59, 59, 999)) { PromptId = "tpl-edge", Cost = 0.000000001m });
        events.Add(new TestEvent(Workspace, "edge", Utc(2024, 2, 1)) { PromptId = "tpl-edge", Cost = 2m });
        events.Add(new TestEvent(Workspace, "edge", Utc(2024, 2, 1)) { PromptId = "tpl-edge", Cost = 3.5m });
        events.Add(new TestEvent(Workspace, "edge", Utc(2024, 2, 1, 23, 59, 59, 999)) { PromptId = "tpl-edge", Cost = 0.25m });
        events.Add(new TestEvent(Workspace, "edge", Utc(2024, 2, 2)) { PromptId = "tpl-edge", Cost = 7m });

        // Ids that JSON must escape, or that are not ASCII.
        foreach (var (id, i) in OddIds.Select((id, i) => (id, i)))
        {
            events.Add(new TestEvent(Workspace, "odd", Utc(2024, 3, 1 + i)) { PromptId = id, Cost = 1.5m + i });
        }

        await InsertAsync(factory, events);
    }

    [OneTimeTearDown]
    public async Task TearDown() => await factory.DisposeAsync();

    [TestCase("2024-01-01", "2024-03-31")]
    [TestCase("2024-02-01", "2024-02-01")]
    [TestCase("2024-01-31", "2024-02-02")]
    [TestCase("2023-12-25", "2024-01-03")]
    [TestCase("2024-01-01", "2024-12-31")]
    public async Task Stats_MatchAggregatesOfTheInsertedEvents(string from, string to)
    {
        string[] ids = [.. Prompts, "tpl-edge"];
        using var body = await PostOkAsync(new { dateFrom = from, dateTo = to, prompt_ids = ids });

        var stats = body.RootElement.GetProperty("data").GetProperty("stats");
        Assert.That(stats.EnumerateObject().Select(p => p.Name), Is.EqualTo(ids));
        foreach (var id in ids)
        {
            AssertStats(stats.GetProperty(id), Expected(Workspace, id, DateOnly.Parse(from), DateOnly.Parse(to)));
        }
    }

    [Test]
    public async Task Window_CountsEachEventOnItsUtcDay_BothBoundsInclusive()
    {
        using var body = await PostOkAsync(new { dateFrom = "2024-01-31", dateTo = "2024-02-01", prompt_ids = new[] { "tpl-edge" } });

        var stats = body.RootElement.GetProperty("data").GetProperty("stats").GetProperty("tpl-edge");
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("total_calls").GetInt64(), Is.EqualTo(4));
            Assert.That(stats.GetProperty("cost_sum").GetDecimal(), Is.EqualTo(5.750000001m));
            Assert.That(Sparkline(stats), Is.EqualTo(new[] { ("2024-01-31", 1L), ("2024-02-01", 3L) }));
        });
    }

    [Test]
    public async Task UnknownAndDuplicateIds_AppearOnceEach_WithZerosOnEveryDay()
    {
        using var body = await PostOkAsync(new { dateFrom = "2024-02-27", dateTo = "2024-03-01", prompt_ids = new[] { "nope", "tpl-a", "nope", "x' OR '1'='1" } });

        var stats = body.RootElement.GetProperty("data").GetProperty("stats");
        Assert.That(stats.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "nope", "tpl-a", "x' OR '1'='1" }));
        foreach (var id in new[] { "nope", "x' OR '1'='1" })
        {
            Assert.Multiple(() =>
            {
                Assert.That(stats.GetProperty(id).GetProperty("total_calls").GetInt64(), Is.Zero);
                Assert.That(stats.GetProperty(id).GetProperty("cost_sum").GetRawText(), Is.EqualTo("0"));
                Assert.That(Sparkline(stats.GetProperty(id)), Is.EqualTo(new[] { ("2024-02-27", 0L), ("2024-02-28", 0L), ("2024-02-29", 0L), ("2024-03-01", 0L) }));
            });
        }
    }

    [Test]
    public async Task IdsThatJsonMustEscape_AreTheAnswersKeys_InTheOrderAsked()
    {
        string[] ids = [.. OddIds.Reverse(), "tpl-a"];
        using var body = await PostOkAsync(new { dateFrom = "2024-03-01", dateTo = "2024-03-10", prompt_ids = ids });

        var stats = body.RootElement.GetProperty("data").GetProperty("stats");
        Assert.That(stats.EnumerateObject().Select(p => p.Name), Is.EqualTo(ids));
        foreach (var id in ids)
        {
            AssertStats(stats.GetProperty(id), Expected(Workspace, id, new(2024, 3, 1), new(2024, 3, 10)));
        }
    }

    [Test]
    public async Task WindowWithoutEvents_IsAllZeros()
    {
        using var body = await PostOkAsync(new { dateFrom = "2030-01-01", dateTo = "2030-01-03", prompt_ids = Prompts });

        foreach (var id in Prompts)
        {
            AssertStats(body.RootElement.GetProperty("data").GetProperty("stats").GetProperty(id), Expected(Workspace, id, new(2030, 1, 1), new(2030, 1, 3)));
        }
    }

    [Test]
    public async Task Envelope_IsTheVendorsOwn()
    {
        using var body = await PostOkAsync(new { dateFrom = "2024-01-01", dateTo = "2024-01-01", prompt_ids = new[] { "tpl-a" } });

        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "code", "message", "data" }));
            Assert.That(body.RootElement.GetProperty("code").GetInt32(), Is.Zero);
            Assert.That(body.RootElement.GetProperty("message").GetString(), Is.EqualTo("success"));
            var stats = body.RootElement.GetProperty("data").GetProperty("stats").GetProperty("tpl-a");
            Assert.That(stats.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "total_calls", "cost_sum", "call_sparkline" }));
            Assert.That(stats.GetProperty("cost_sum").ValueKind, Is.EqualTo(JsonValueKind.Number));
        });
    }

    [Test]
    public async Task EachWorkspace_SeesOnlyItsOwnEvents()
    {
        using var client = Client(otherReadKey, Other);
        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2024-01-01", dateTo = "2024-03-31", prompt_ids = Prompts });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        foreach (var id in Prompts)
        {
            AssertStats(body.RootElement.GetProperty("data").GetProperty("stats").GetProperty(id), Expected(Other, id, new(2024, 1, 1), new(2024, 3, 31)));
        }
    }

    [Test]
    public async Task BootstrapAdmin_ReadsTheWorkspaceNamedInTheHeader()
    {
        using var client = Client(AnalyticsFactory.AdminToken, Other);
        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2024-01-01", dateTo = "2024-03-31", prompt_ids = new[] { "tpl-b" } });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        AssertStats(body.RootElement.GetProperty("data").GetProperty("stats").GetProperty("tpl-b"), Expected(Other, "tpl-b", new(2024, 1, 1), new(2024, 3, 31)));
    }

    [Test]
    public async Task JwtInCookie_IsAccepted()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Cookie", "alephant_token=" + ApiClients.Jwt(Workspace, Scopes.Read));
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2024-01-01", dateTo = "2024-01-02", prompt_ids = new[] { "tpl-a" } });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ForgottenHistories_LeaveTheStats()
    {
        const string workspace = "ps_forget";
        var key = await factory.CreateKeyAsync(workspace, [Scopes.Read]);
        await InsertAsync(factory,
        [
            new TestEvent(workspace, "u1", Utc(2024, 5, 1, 10)) { PromptId = "tpl-f", HistoryId = "h-keep", Cost = 1m },
            new TestEvent(workspace, "u1", Utc(2024, 5, 1, 11)) { PromptId = "tpl-f", HistoryId = "h-gone", Cost = 10m },
            new TestEvent(workspace, "u1", Utc(2024, 5, 2, 11)) { PromptId = "tpl-f", HistoryId = "h-gone", Cost = 100m },
        ]);
        await factory.ForgetAsync(workspace, "h-gone");

        using var client = Client(key, workspace);
        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2024-05-01", dateTo = "2024-05-02", prompt_ids = new[] { "tpl-f" } });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var stats = body.RootElement.GetProperty("data").GetProperty("stats").GetProperty("tpl-f");
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("total_calls").GetInt64(), Is.EqualTo(1));
            Assert.That(stats.GetProperty("cost_sum").GetDecimal(), Is.EqualTo(1m));
            Assert.That(Sparkline(stats), Is.EqualTo(new[] { ("2024-05-01", 1L), ("2024-05-02", 0L) }));
        });
    }

    [Test]
    public async Task Window_Of366Days_And500Ids_IsAllowed()
    {
        var ids = Enumerable.Range(0, 500).Select(i => "id-" + i).ToArray();
        using var body = await PostOkAsync(new { dateFrom = "2024-01-01", dateTo = "2024-12-31", prompt_ids = ids });

        var stats = body.RootElement.GetProperty("data").GetProperty("stats");
        Assert.Multiple(() =>
        {
            Assert.That(stats.EnumerateObject().Count(), Is.EqualTo(500));
            Assert.That(stats.GetProperty("id-499").GetProperty("call_sparkline").GetArrayLength(), Is.EqualTo(366));
        });
    }

    [TestCase("{", 40001)]
    [TestCase("", 40001)]
    [TestCase("[1, 2]", 40001)]
    [TestCase("\"text\"", 40001)]
    [TestCase("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2024-01-02\"}", 40050)]
    [TestCase("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": []}", 40050)]
    [TestCase("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": null}", 40050)]
    [TestCase("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": \"tpl-a\"}", 40050)]
    [TestCase("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": [1]}", 40050)]
    [TestCase("{\"dateTo\": \"2024-01-02\", \"prompt_ids\": [\"a\"]}", 40002)]
    [TestCase("{\"dateFrom\": \"2024-1-01\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": [\"a\"]}", 40002)]
    [TestCase("{\"dateFrom\": \"2024-02-30\", \"dateTo\": \"2024-03-02\", \"prompt_ids\": [\"a\"]}", 40002)]
    [TestCase("{\"dateFrom\": \"2024-01-01T00:00:00Z\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": [\"a\"]}", 40002)]
    [TestCase("{\"dateFrom\": 20240101, \"dateTo\": \"2024-01-02\", \"prompt_ids\": [\"a\"]}", 40002)]
    [TestCase("{\"dateFrom\": \"2024-01-03\", \"dateTo\": \"2024-01-02\", \"prompt_ids\": [\"a\"]}", 40003)]
    [TestCase("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2025-01-01\", \"prompt_ids\": [\"a\"]}", 40004)]
    public async Task MalformedRequests_Answer400WithTheirCode(string json, int code)
    {
        using var client = Client(readKey, Workspace);
        using var response = await client.PostAsync(Path, new StringContent(json, Encoding.UTF8, "application/json"));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, code);
    }

    [TestCase("text/plain")]
    [TestCase("application/x-www-form-urlencoded")]
    public async Task AnyContentType_IsReadAsJson_SoErrorsKeepTheEnvelope(string contentType)
    {
        using var client = Client(readKey, Workspace);
        using var ok = await client.PostAsync(Path, new StringContent("{\"dateFrom\": \"2024-01-01\", \"dateTo\": \"2024-01-01\", \"prompt_ids\": [\"a\"]}", Encoding.UTF8, contentType));
        using var bad = await client.PostAsync(Path, new StringContent("dateFrom=2024-01-01", Encoding.UTF8, contentType));

        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertErrorAsync(bad, HttpStatusCode.BadRequest, 40001);
    }

    [Test]
    public async Task OverFiveHundredIds_Answers40005()
    {
        using var client = Client(readKey, Workspace);
        var ids = Enumerable.Range(0, 501).Select(i => "id-" + i).ToArray();
        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2024-01-01", dateTo = "2024-01-02", prompt_ids = ids });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, 40005);
    }

    [TestCase(null, Workspace, HttpStatusCode.Unauthorized, 40100)]
    [TestCase("not-a-key", Workspace, HttpStatusCode.Unauthorized, 40100)]
    [TestCase("read", Other, HttpStatusCode.Forbidden, 40300)]
    [TestCase("read", null, HttpStatusCode.Forbidden, 40300)]
    [TestCase("admin-only", Workspace, HttpStatusCode.Forbidden, 40300)]
    [TestCase("bootstrap", null, HttpStatusCode.Forbidden, 40300)]
    public async Task Credentials_AreChecked(string? credential, string? workspaceHeader, HttpStatusCode status, int code)
    {
        var token = credential switch
        {
            "read" => readKey,
            "admin-only" => adminOnlyKey,
            "bootstrap" => AnalyticsFactory.AdminToken,
            _ => credential,
        };
        using var client = Client(token, workspaceHeader);
        using var response = await client.PostAsJsonAsync(Path, new { dateFrom = "2024-01-01", dateTo = "2024-01-02", prompt_ids = new[] { "a" } });

        await AssertErrorAsync(response, status, code);
    }

    private HttpClient Client(string? token, string? workspace)
    {
        var client = factory.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        if (workspace is not null)
        {
            client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        }

        return client;
    }

    private async Task<JsonDocument> PostOkAsync(object request)
    {
        using var client = Client(readKey, Workspace);
        using var response = await client.PostAsJsonAsync(Path, request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(body.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(code), text);
            Assert.That(body.RootElement.GetProperty("message").GetString(), Is.Not.Empty);
            Assert.That(body.RootElement.GetProperty("data").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    private (long Calls, decimal Cost, (string, long)[] Sparkline) Expected(string workspace, string id, DateOnly from, DateOnly to)
    {
        var matching = events.Where(e => e.Workspace == workspace && e.PromptId == id && e.Day >= from && e.Day <= to).ToList();
        var sparkline = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1)
            .Select(i => from.AddDays(i))
            .Select(day => (day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (long)matching.Count(e => e.Day == day)))
            .ToArray();
        return (matching.Count, matching.Sum(e => e.Cost), sparkline);
    }

    private static void AssertStats(JsonElement stats, (long Calls, decimal Cost, (string, long)[] Sparkline) expected) =>
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("total_calls").GetInt64(), Is.EqualTo(expected.Calls));
            Assert.That(stats.GetProperty("cost_sum").GetDecimal(), Is.EqualTo(expected.Cost));
            Assert.That(Sparkline(stats), Is.EqualTo(expected.Sparkline));
        });

    private static (string, long)[] Sparkline(JsonElement stats) =>
        [.. stats.GetProperty("call_sparkline").EnumerateArray().Select(p => (p.GetProperty("date").GetString()!, p.GetProperty("value").GetInt64()))];
}
