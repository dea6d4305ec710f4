using System.Net.Http.Headers;
using System.Text;
using Analytics.Api.Control;
using Microsoft.Extensions.DependencyInjection;
using static Analytics.Api.Tests.Features.TestEvent;

namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>The 5000-row cap: exactly 5000 matching rows are all returned, 5001 are cut to 5000 and flagged.</summary>
public sealed class UserStatsTruncationTests
{
    private const string Path = "/api/admin/histories/charts/user-stats";
    private const string Window = "{\"daterange\": {\"start\": \"2025-03-01T00:00:00Z\", \"end\": \"2025-03-02T00:00:00Z\"}}";

    private readonly List<TestEvent> events = [];
    private AnalyticsFactory factory = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        factory = await AnalyticsFactory.StartFreshAsync("features_user_stats_cap");

        // One bulk write: 5000 users in one workspace, 5001 in the other, one row each. The last user of
        // the bigger workspace, beyond the cap, used more and is at their cap.
        foreach (var (workspace, users) in new[] { ("cap_5000", 5000), ("cap_5001", 5001) })
        {
            events.AddRange(Enumerable.Range(0, users).Select(i => new TestEvent(workspace, $"user-{i:D5}", Utc(2025, 3, 1, 12))
            {
                Institution = i % 2 == 0 ? "even" : "odd", Email = $"user{i}@example.com", Credits = i == 5000 ? 5002m : 1m,
            }));
        }

        // Two days each: in the first workspace the first day alone has more rows than a page, in the second
        // it has fewer, so that the page spans both days. Users of the second day are partly new.
        foreach (var (workspace, firstDay, secondDay) in new[] { ("span_first", 5200, 800), ("span_both", 3000, 3000) })
        {
            events.AddRange(Enumerable.Range(0, firstDay).Select(i => new TestEvent(workspace, $"user-{i:D5}", Utc(2025, 3, 1, 8))
            {
                Institution = i % 3 == 0 ? "a" : "b", Credits = 1m + (i % 7),
            }));
            events.AddRange(Enumerable.Range(firstDay / 2, secondDay).Select(i => new TestEvent(workspace, $"user-{i:D5}", Utc(2025, 3, 2, 20))
            {
                Institution = i % 3 == 0 ? "a" : "c", Credits = 2m,
            }));
        }

        // Half of 4,000 users with long ids match a search: too many ids to hand to a statement.
        events.AddRange(Enumerable.Range(0, 4000).Select(i => new TestEvent("search_broad", $"user-{i:D5}-{new string('x', 60)}", Utc(2025, 3, 1, 9))
        {
            Institution = i % 3 == 0 ? "a" : "b", Email = i % 2 == 0 ? $"u{i}@keep.example" : $"u{i}@drop.example", Credits = 1m + (i % 5),
        }));

        await InsertAsync(factory, events);
        var control = factory.Services.GetRequiredService<ControlStore>();
        await control.SetCapAsync("cap_5001", "user-05000", 10m, CancellationToken.None);
        await control.SetCapAsync("span_first", "user-05100", 3m, CancellationToken.None); // reached on day 2 only
        await control.SetCapAsync("span_both", "user-00006", 100m, CancellationToken.None); // not reached
    }

    [OneTimeTearDown]
    public async Task TearDown() => await factory.DisposeAsync();

    [Test]
    public async Task ExactlyFiveThousandRows_AreAllReturned_NotTruncated()
    {
        using var body = await PostAsync("cap_5000");

        var rows = body.RootElement.GetProperty("data");
        var expected = new ExpectedExtract(events, new Dictionary<string, decimal?>(), new HashSet<string>())
            .Compute("cap_5000", Utc(2025, 3, 1), Utc(2025, 3, 2), "day");
        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.GetProperty("truncated").GetBoolean(), Is.False);
            Assert.That(rows.GetArrayLength(), Is.EqualTo(5000));
            Assert.That(rows.EnumerateArray().Select(ExtractRow.FromJson), Is.EqualTo(expected.Rows));
            Assert.That(ExtractSummary.FromJson(body.RootElement.GetProperty("summary")), Is.EqualTo(expected.Summary));
        });
    }

    [Test]
    public async Task FiveThousandAndOneRows_AreCutToTheFirst5000_Truncated_WithTheSummaryOverAll()
    {
        using var body = await PostAsync("cap_5001");

        var rows = body.RootElement.GetProperty("data");
        var caps = new Dictionary<string, decimal?> { ["user-05000"] = 10m };
        var expected = new ExpectedExtract(events, caps, new HashSet<string>()).Compute("cap_5001", Utc(2025, 3, 1), Utc(2025, 3, 2), "day");
        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(rows.GetArrayLength(), Is.EqualTo(5000));
            Assert.That(rows.EnumerateArray().Select(ExtractRow.FromJson), Is.EqualTo(expected.Rows.Take(5000)));
            Assert.That(ExtractSummary.FromJson(body.RootElement.GetProperty("summary")), Is.EqualTo(expected.Summary));
            Assert.That((expected.Summary.MeanCreditsPerUserAccount, expected.Summary.UsersAtCap), Is.EqualTo((2m, 1L)), "the user beyond the cap counts in the summary");
        });
    }

    [TestCase("span_first")]
    [TestCase("span_both")]
    public async Task APageAcrossPeriods_IsTheFirst5000ByPeriod_WithTheSummaryOverTheWholeWindow(string workspace)
    {
        using var client = Client(workspace);
        using var response = await client.PostAsync(Path, new StringContent(
            "{\"daterange\": {\"start\": \"2025-03-01T00:00:00Z\", \"end\": \"2025-03-03T00:00:00Z\"}}", Encoding.UTF8, "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var caps = workspace == "span_first"
            ? new Dictionary<string, decimal?> { ["user-05100"] = 3m }
            : new Dictionary<string, decimal?> { ["user-00006"] = 100m };
        var expected = new ExpectedExtract(events, caps, new HashSet<string>()).Compute(workspace, Utc(2025, 3, 1), Utc(2025, 3, 3), "day");
        var rows = body.RootElement.GetProperty("data");
        Assert.Multiple(() =>
        {
            Assert.That(expected.Rows, Has.Count.GreaterThan(5000), "the test's own premise");
            Assert.That(body.RootElement.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(rows.EnumerateArray().Select(ExtractRow.FromJson), Is.EqualTo(expected.Rows.Take(5000)));
            Assert.That(ExtractSummary.FromJson(body.RootElement.GetProperty("summary")), Is.EqualTo(expected.Summary));
        });
    }

    [TestCase("search_broad", "keep.example", "2,000 matches, too many ids to hand over")]
    [TestCase("search_broad", "u17@", "one match")]
    [TestCase("cap_5001", "user", "every user")]
    public async Task ASearch_OfFewOrManyMatches_FindsTheRowsOfTheEventsItMatches(string workspace, string search, string what)
    {
        using var client = Client(workspace);
        using var response = await client.PostAsync(Path, new StringContent(
            $"{{\"daterange\": {{\"start\": \"2025-03-01T00:00:00Z\", \"end\": \"2025-03-02T00:00:00Z\"}}, \"usersearch\": \"{search}\"}}",
            Encoding.UTF8, "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var caps = new Dictionary<string, decimal?> { ["user-05000"] = 10m };
        var expected = new ExpectedExtract(events, caps, new HashSet<string>())
            .Compute(workspace, Utc(2025, 3, 1), Utc(2025, 3, 2), "day", new ExtractFilter(null, null, null, search));
        Assert.Multiple(() =>
        {
            Assert.That(expected.Rows, Is.Not.Empty, "the test's own premise");
            Assert.That(body.RootElement.GetProperty("truncated").GetBoolean(), Is.EqualTo(expected.Rows.Count > 5000), what);
            Assert.That(body.RootElement.GetProperty("data").EnumerateArray().Select(ExtractRow.FromJson), Is.EqualTo(expected.Rows.Take(5000)), what);
            Assert.That(ExtractSummary.FromJson(body.RootElement.GetProperty("summary")), Is.EqualTo(expected.Summary), what);
        });
    }

    [Test]
    public void IdsHandedToAStatement_AreCutIntoParametersOfBoundedSize_InOrder()
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => $"user-{i:D5}-" + new string('x', i % 40)).ToList();

        var chunks = Analytics.Api.Features.UserStats.UserStatsQuery.Chunks(ids).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(chunks, Has.Count.GreaterThan(1));
            Assert.That(chunks.SelectMany(c => c), Is.EqualTo(ids));
            Assert.That(chunks.Max(c => c.Sum(id => id.Length + 3)), Is.LessThan(128 * 1024), "a chunk, quoted and comma-separated, fits a server parameter");
        });
    }

    [Test]
    public async Task Csv_SaysWhenItIsTruncated()
    {
        using var client = Client("cap_5001");
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await client.PostAsync(Path, new StringContent(Window, Encoding.UTF8, "application/json"));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.GetValues("X-Truncated").Single(), Is.EqualTo("true"));
            Assert.That(lines, Has.Length.EqualTo(5001), "header and 5000 rows");
        });
    }

    private HttpClient Client(string workspace)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("x-access-token", AnalyticsFactory.AdminToken);
        client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        return client;
    }

    private async Task<JsonDocument> PostAsync(string workspace)
    {
        using var client = Client(workspace);
        using var response = await client.PostAsync(Path, new StringContent(Window, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text);
    }
}
