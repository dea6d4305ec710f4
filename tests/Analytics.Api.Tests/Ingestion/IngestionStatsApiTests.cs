using System.Net.Http.Headers;
using Analytics.Api.Auth;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>GET /v1/ingestion/stats and /v1/ingestion/quarantine report what POST /v1/events answered.</summary>
public sealed class IngestionStatsApiTests : DatabaseTests
{
    private const string Workspace = "ing_stats";
    private string ingestKey = null!;
    private string readKey = null!;
    private string adminKey = null!;

    public IngestionStatsApiTests()
        : base("ingestion_stats")
    {
    }

    [OneTimeSetUp]
    public async Task ArrangeAsync()
    {
        ingestKey = await Factory.CreateKeyAsync(Workspace, [Scopes.Ingest]);
        readKey = await Factory.CreateKeyAsync(Workspace, [Scopes.Read]);
        adminKey = await Factory.CreateKeyAsync(Workspace, [Scopes.Admin]);
    }

    [Test]
    public async Task Stats_AddUpWhatEachIngestionAnswered_InTheLastHourAndDay()
    {
        var before = await StatsAsync(readKey);
        var answers = new List<JsonElement>();
        using (var client = Factory.CreateClient(ingestKey))
        {
            answers.Add(await (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("s-1"), Events.Line("s-2"), "not json", Events.Line("s-1")))).JsonAsync());
            answers.Add(await (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("s-2"), Events.Line("s-3"), "{\"event_id\":\"s-4\"}"))).JsonAsync());
            answers.Add(await (await client.PostAsync("/v1/events?wait=true", Events.Ndjson(Events.Line("s-5")))).JsonAsync());
        }

        var after = await StatsAsync(readKey);

        foreach (var window in new[] { "last_hour", "last_day" })
        {
            foreach (var count in new[] { "accepted", "duplicates", "quarantined" })
            {
                Assert.That(
                    after.GetProperty(window).GetProperty(count).GetInt64() - before.GetProperty(window).GetProperty(count).GetInt64(),
                    Is.EqualTo(answers.Sum(a => a.GetProperty(count).GetInt64())),
                    $"{window}.{count}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers.Sum(a => a.GetProperty("accepted").GetInt64()), Is.EqualTo(4));
            Assert.That(answers.Sum(a => a.GetProperty("duplicates").GetInt64()), Is.EqualTo(2));
            Assert.That(answers.Sum(a => a.GetProperty("quarantined").GetInt64()), Is.EqualTo(2));
            Assert.That(after.GetProperty("workspace_id").GetString(), Is.EqualTo(Workspace));
            Assert.That(after.GetProperty("spool_batches").GetInt32(), Is.Zero);
            Assert.That(after.GetProperty("buffered").GetInt64(), Is.Zero);
        });
    }

    [Test]
    public async Task Stats_CountOnlyTheLastDay()
    {
        var workspace = "ing_stats_old";
        var now = DateTime.UtcNow;
        await Connection.ExecuteAsync(
            "INSERT INTO ingest_counts (workspace_id, minute, accepted, duplicates, quarantined) VALUES " +
            "({w:String}, {recent:DateTime}, 5, 1, 0), ({w:String}, {hours:DateTime}, 7, 0, 2), ({w:String}, {old:DateTime}, 100, 100, 100)",
            new DynamicParameters(new { w = workspace, recent = now.AddMinutes(-2), hours = now.AddHours(-5), old = now.AddHours(-25) }) { RemoveUnused = false });
        var key = await Factory.CreateKeyAsync(workspace, [Scopes.Read]);

        var stats = await StatsAsync(key);

        Assert.Multiple(() =>
        {
            Assert.That(Window(stats, "last_hour"), Is.EqualTo((5L, 1L, 0L)));
            Assert.That(Window(stats, "last_day"), Is.EqualTo((12L, 1L, 2L)));
        });
    }

    [Test]
    public async Task Quarantine_ListsTheLatestLinesWithTheirReasons_NewestFirst()
    {
        using (var client = Factory.CreateClient(ingestKey))
        {
            await client.PostAsync("/v1/events", Events.Ndjson("first bad line", Events.Line("q-1")));
            await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("q-2"), "{\"event_id\":\"q-3\",\"timestamp\":\"2026-01-15T10:00:00Z\"}", new string('x', 2500)));
        }

        using var admin = Factory.CreateClient(adminKey);
        using var response = await admin.GetAsync("/v1/ingestion/quarantine?limit=3");
        var body = await response.JsonAsync();
        var lines = body.GetProperty("lines").EnumerateArray().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(lines.Select(l => l.GetProperty("line").GetInt32()), Is.EqualTo(new[] { 3, 2, 1 }));
            Assert.That(lines[1].GetProperty("reason").GetString(), Is.EqualTo("user_id is required"));
            Assert.That(lines[1].GetProperty("raw").GetString(), Is.EqualTo("{\"event_id\":\"q-3\",\"timestamp\":\"2026-01-15T10:00:00Z\"}"));
            Assert.That(lines[1].GetProperty("raw_truncated").GetBoolean(), Is.False);
            Assert.That(lines[0].GetProperty("raw").GetString(), Has.Length.EqualTo(2000));
            Assert.That(lines[0].GetProperty("raw_truncated").GetBoolean(), Is.True);
            Assert.That(lines[2].GetProperty("raw").GetString(), Is.EqualTo("first bad line"));
            Assert.That(lines[0].GetProperty("received_at").GetDateTime(), Is.GreaterThanOrEqualTo(lines[2].GetProperty("received_at").GetDateTime()));
        });
    }

    [Test]
    public async Task Quarantine_NeedsAnAdmin_AndStatsARead_Credential()
    {
        using var reader = Factory.CreateClient(readKey);
        using var ingester = Factory.CreateClient(ingestKey);
        using var admin = Factory.CreateClient(AnalyticsFactory.AdminToken);
        using var nobody = Factory.CreateClient();
        using var adminElsewhere = Factory.CreateClient(adminKey);
        adminElsewhere.DefaultRequestHeaders.Add("X-Workspace-Id", "another");

        Assert.Multiple(async () =>
        {
            Assert.That((await reader.GetAsync("/v1/ingestion/quarantine")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await ingester.GetAsync("/v1/ingestion/stats")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await nobody.GetAsync("/v1/ingestion/stats")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await adminElsewhere.GetAsync("/v1/ingestion/quarantine")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await admin.GetAsync("/v1/ingestion/stats")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await Factory.CreateClient(adminKey).GetAsync("/v1/ingestion/quarantine?limit=0")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task BootstrapAdmin_ReadsTheWorkspaceItNames()
    {
        using var admin = Factory.CreateClient(AnalyticsFactory.AdminToken);
        admin.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);

        var stats = await (await admin.GetAsync("/v1/ingestion/stats")).JsonAsync();
        using var quarantine = await admin.GetAsync("/v1/ingestion/quarantine");

        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("workspace_id").GetString(), Is.EqualTo(Workspace));
            Assert.That(quarantine.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    private static (long, long, long) Window(JsonElement stats, string name)
    {
        var window = stats.GetProperty(name);
        return (window.GetProperty("accepted").GetInt64(), window.GetProperty("duplicates").GetInt64(), window.GetProperty("quarantined").GetInt64());
    }

    private async Task<JsonElement> StatsAsync(string key)
    {
        using var client = Factory.CreateClient(key);
        using var response = await client.GetAsync("/v1/ingestion/stats");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }
}
