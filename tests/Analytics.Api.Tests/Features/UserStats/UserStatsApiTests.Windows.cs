namespace Analytics.Api.Tests.Features.UserStats;

public sealed partial class UserStatsApiTests
{
    [TestCase("day", "2025-02-11T00:00:00Z", 30)]
    [TestCase("week", "2024-12-19T00:00:00Z", 84)]
    [TestCase("month", "2024-03-13T00:00:00Z", 365)]
    public async Task NoWindow_AppliesTheDefaultDays_UpToTheEndOfToday(string granularity, string start, int days)
    {
        using var body = await PostOkAsync($"{{\"granularity\": \"{granularity}\"}}");

        var root = body.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("success").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("granularity").GetString(), Is.EqualTo(granularity));
            Assert.That(root.GetProperty("windowSource").GetString(), Is.EqualTo("default"));
            Assert.That(root.GetProperty("defaultDaysApplied").GetInt32(), Is.EqualTo(days));
            Assert.That(root.GetProperty("windowStart").GetString(), Is.EqualTo(start));
            Assert.That(root.GetProperty("windowEnd").GetString(), Is.EqualTo("2025-03-13T00:00:00Z"));
        });
        AssertMatches(body, Workspace, Instant(start), Instant("2025-03-13T00:00:00Z"), granularity);
    }

    [TestCase("day", -1, "2025-03-12T00:00:00Z", "2025-03-13T00:00:00Z")]
    [TestCase("day", -3, "2025-03-10T00:00:00Z", "2025-03-13T00:00:00Z")]
    [TestCase("week", -1, "2025-03-10T00:00:00Z", "2025-03-17T00:00:00Z")]
    [TestCase("week", -2, "2025-03-03T00:00:00Z", "2025-03-17T00:00:00Z")]
    [TestCase("month", -1, "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z")]
    [TestCase("month", -3, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z")]
    [TestCase("month", -14, "2024-02-01T00:00:00Z", "2025-04-01T00:00:00Z")]
    public async Task Range_CountsWholePeriodsBack_TheCurrentOneIncluded(string granularity, int range, string start, string end)
    {
        using var body = await PostOkAsync($"{{\"granularity\": \"{granularity}\", \"range\": {range}}}");

        var root = body.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("windowSource").GetString(), Is.EqualTo("range"));
            Assert.That(root.GetProperty("defaultDaysApplied").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("windowStart").GetString(), Is.EqualTo(start));
            Assert.That(root.GetProperty("windowEnd").GetString(), Is.EqualTo(end));
        });
        AssertMatches(body, Workspace, Instant(start), Instant(end), granularity);
    }

    [Test]
    public async Task Range_MayBeSentAsText()
    {
        using var body = await PostOkAsync("{\"range\": \"-2\"}");

        Assert.That(body.RootElement.GetProperty("windowStart").GetString(), Is.EqualTo("2025-03-11T00:00:00Z"));
    }

    [TestCase("day", "2025-03-01T00:00:00Z", "2025-03-10T00:00:00Z")]
    [TestCase("week", "2025-03-03T00:00:00Z", "2025-03-10T00:00:00Z")]
    [TestCase("week", "2024-12-19T00:00:00Z", "2025-03-13T00:00:00Z")]
    [TestCase("month", "2024-01-01T00:00:00Z", "2025-04-01T00:00:00Z")]
    [TestCase("day", "2025-02-03T12:00:00Z", "2025-02-10T06:30:00.500Z")]
    [TestCase("week", "2025-02-03T12:00:00.000Z", "2025-02-10T06:30:00.499Z")]
    [TestCase("day", "2025-02-05T08:00:00.001Z", "2025-02-05T09:00:00.001Z")]
    [TestCase("day", "2025-02-05T09:00:00.001+01:00", "2025-02-05T10:00:00.0015+01:00")]
    [TestCase("month", "2025-02-28T23:59:59.999Z", "2025-03-01T00:00:00.001Z")]
    [TestCase("day", "2025-02-04T12:00:00Z", "2025-02-06T00:00:00Z")]
    [TestCase("day", "2025-02-04T00:00:00Z", "2025-02-05T12:00:00Z")]
    public async Task Daterange_IsStartInclusive_EndExclusive_ToTheMillisecond(string granularity, string start, string end)
    {
        using var body = await PostOkAsync($"{{\"granularity\": \"{granularity}\", \"range\": -2, \"daterange\": {{\"start\": \"{start}\", \"end\": \"{end}\"}}}}");

        var root = body.RootElement;
        var from = Instant(start);
        var to = Instant(end);

        // Sub-millisecond bounds round up to the millisecond events are stored with.
        to = new DateTime((to.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("windowSource").GetString(), Is.EqualTo("daterange"));
            Assert.That(Instant(root.GetProperty("windowStart").GetString()!), Is.EqualTo(from));
            Assert.That(Instant(root.GetProperty("windowEnd").GetString()!), Is.EqualTo(to));
        });
        AssertMatches(body, Workspace, from, to, granularity);
    }

    [Test]
    public async Task Daterange_AtTheEdgeOfADay_SplitsEventsAtMidnight()
    {
        using var body = await PostOkAsync("{\"daterange\": {\"start\": \"2025-03-10T00:00:00Z\", \"end\": \"2025-03-10T00:00:00.001Z\"}}");

        var rows = Rows(body);
        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => r.User).Distinct(), Is.EquivalentTo(new[] { "u1", "u2", "u3", "u4", "u5", "u6" }));
            Assert.That(rows.Sum(r => r.QueryCount), Is.EqualTo(6));
            Assert.That(rows.Select(r => r.PeriodStart).Distinct(), Is.EqualTo(new[] { "2025-03-10T00:00:00Z" }));
        });
    }

    [Test]
    public async Task EmptyWindow_And_WindowWithoutUsage_AnswerNoRowsAndAZeroSummary()
    {
        using var empty = await PostOkAsync("{\"daterange\": {\"start\": \"2025-02-04T00:00:00Z\", \"end\": \"2025-02-04T00:00:00Z\"}}");
        using var quiet = await PostOkAsync("{\"daterange\": {\"start\": \"2030-01-01\", \"end\": \"2030-02-01\"}}");

        foreach (var body in new[] { empty, quiet })
        {
            Assert.Multiple(() =>
            {
                Assert.That(Rows(body), Is.Empty);
                Assert.That(Summary(body), Is.EqualTo(new ExtractSummary(0, 0, 0)));
                Assert.That(body.RootElement.GetProperty("truncated").GetBoolean(), Is.False);
            });
        }
    }

    [Test]
    public async Task NoBody_IsTheDefaultDailyWindow()
    {
        using var client = Client(adminKey);
        using var response = await client.PostAsync(Path, null);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.RootElement.GetProperty("defaultDaysApplied").GetInt32(), Is.EqualTo(30));
        });
    }

    [Test]
    public async Task ForgottenHistories_AreExcluded_FromRowsAndLifetime_OnBothPaths()
    {
        // The forgotten events (u4, 2025-02-03 13:00 and 14:00, 2025-02-04) sit in whole days and in a partial edge day.
        using var aligned = await PostOkAsync("{\"daterange\": {\"start\": \"2025-02-03T00:00:00Z\", \"end\": \"2025-02-05T00:00:00Z\"}, \"institution\": \"i3\"}");
        using var partial = await PostOkAsync("{\"daterange\": {\"start\": \"2025-02-03T12:30:00Z\", \"end\": \"2025-02-04T00:00:00.001Z\"}, \"institution\": \"i3\"}");

        AssertMatches(aligned, Workspace, Instant("2025-02-03T00:00:00Z"), Instant("2025-02-05T00:00:00Z"), "day", new(Institutions: ["i3"]));
        AssertMatches(partial, Workspace, Instant("2025-02-03T12:30:00Z"), Instant("2025-02-04T00:00:00.001Z"), "day", new(Institutions: ["i3"]));
        Assert.That(Rows(aligned).Concat(Rows(partial)).Select(r => r.CreditsUsed), Is.All.LessThan(1000m));
    }
}
