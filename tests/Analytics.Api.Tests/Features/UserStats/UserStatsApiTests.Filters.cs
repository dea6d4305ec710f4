using Analytics.Api.Auth;

namespace Analytics.Api.Tests.Features.UserStats;

public sealed partial class UserStatsApiTests
{
    private const string Year = "\"daterange\": {\"start\": \"2024-01-01T00:00:00Z\", \"end\": \"2025-04-01T00:00:00Z\"}";

    [TestCase("\"account\": \"a1\"", new[] { "a1" }, null, null, null)]
    [TestCase("\"account\": \" a2   a3 \"", new[] { "a2", "a3" }, null, null, null)]
    [TestCase("\"account\": \"nope\"", new[] { "nope" }, null, null, null)]
    [TestCase("\"institution\": \"i1\"", null, new[] { "i1" }, null, null)]
    [TestCase("\"institution\": \"i2 i,4\"", null, new[] { "i2", "i,4" }, null, null)]
    [TestCase("\"role\": \"admin\"", null, null, "admin", null)]
    [TestCase("\"role\": \"super\"", null, null, "super", null)]
    [TestCase("\"usersearch\": \"LOVELACE\"", null, null, null, "LOVELACE")]
    [TestCase("\"usersearch\": \"grace\"", null, null, null, "grace")]
    [TestCase("\"usersearch\": \"@navy.\"", null, null, null, "@navy.")]
    [TestCase("\"usersearch\": \"ada@old\"", null, null, null, "ada@old")]
    [TestCase("\"usersearch\": \"' OR 1=1 --\"", null, null, null, "' OR 1=1 --")]
    [TestCase("\"usersearch\": \"%\"", null, null, null, "%")]
    [TestCase("\"usersearch\": \"\\\"q\\\"\"", null, null, null, "\"q\"")]
    [TestCase("\"usersearch\": \"\"", null, null, null, null)]
    [TestCase("\"account\": \"a1\", \"institution\": \"i2\"", new[] { "a1" }, new[] { "i2" }, null, null)]
    [TestCase("\"account\": \"a1 a2\", \"institution\": \"i1 i2\", \"role\": \"user\", \"usersearch\": \"a\"", new[] { "a1", "a2" }, new[] { "i1", "i2" }, "user", "a")]
    [TestCase("\"institution\": \"i2\", \"role\": \"admin\", \"usersearch\": \"LISKOV\"", null, new[] { "i2" }, "admin", "LISKOV")]
    public async Task Filters_AloneAndCombined_MatchTheEvents(string filterJson, string[]? accounts, string[]? institutions, string? role, string? search)
    {
        using var body = await PostOkAsync($"{{{Year}, \"granularity\": \"month\", {filterJson}}}");

        AssertMatches(body, Workspace, Instant("2024-01-01T00:00:00Z"), Instant("2025-04-01T00:00:00Z"), "month", new(accounts, institutions, role, search));
    }

    [Test]
    public async Task Filters_ApplyToPartialEdgeDaysToo()
    {
        using var body = await PostOkAsync("{\"daterange\": {\"start\": \"2025-02-03T12:00:00Z\", \"end\": \"2025-02-10T06:30:00.500Z\"}, \"account\": \"a1\", \"role\": \"user\", \"granularity\": \"week\"}");

        AssertMatches(body, Workspace, Instant("2025-02-03T12:00:00Z"), Instant("2025-02-10T06:30:00.500Z"), "week", new(["a1"], Role: "user"));
    }

    [Test]
    public async Task Caps_AboveAtAndBelowTheLimit()
    {
        using var body = await PostOkAsync($"{{{Year}, \"granularity\": \"month\"}}");

        var byUser = Rows(body).GroupBy(r => r.User).ToDictionary(g => g.Key, g => g.First());
        Assert.Multiple(() =>
        {
            Assert.That(byUser["u1"].AtCap, Is.True, "lifetime above the cap");
            Assert.That(byUser["u1"].CapUsedPct, Is.GreaterThan(100m));
            Assert.That(byUser["u2"].AtCap, Is.True, "lifetime exactly at the cap");
            Assert.That(byUser["u2"].CapUsedPct, Is.EqualTo(100m));
            Assert.That(byUser["u2"].CapLimit, Is.EqualTo(byUser["u2"].LifetimeUsed));
            Assert.That(byUser["u3"].AtCap, Is.False, "lifetime a millionth below the cap");
            Assert.That(byUser["u3"].CapUsedPct, Is.LessThanOrEqualTo(100m));
            Assert.That(byUser["u4"].CapLimit, Is.Null, "a cleared cap");
            Assert.That(byUser["u4"].CapUsedPct, Is.Null);
            Assert.That(byUser["u4"].AtCap, Is.False);
            Assert.That(byUser["u5"].CapLimit, Is.Null, "never capped");
            Assert.That(byUser["u6"].CapLimit, Is.Zero);
            Assert.That(byUser["u6"].CapUsedPct, Is.EqualTo(100m));
            Assert.That(byUser["u6"].AtCap, Is.True);
            Assert.That(Summary(body).UsersAtCap, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task LifetimeUsed_CoversAllTime_WhateverTheWindowAndFilters()
    {
        using var body = await PostOkAsync("{\"range\": -1, \"institution\": \"i1\", \"role\": \"admin\"}");

        var lifetime = events.Where(e => e.Workspace == Workspace && !forgotten.Contains(e.HistoryId)).GroupBy(e => e.UserId).ToDictionary(g => g.Key, g => g.Sum(e => e.Credits));
        Assert.That(Rows(body), Is.Not.Empty);
        Assert.That(Rows(body).Select(r => r.LifetimeUsed), Is.EqualTo(Rows(body).Select(r => lifetime[r.User])));
    }

    [Test]
    public async Task EachWorkspace_SeesOnlyItsOwnUsers()
    {
        var otherKey = await factory.CreateKeyAsync(Other, [Scopes.Admin]);
        using var viaKey = await PostOkAsync($"{{{Year}}}", otherKey);
        using var viaJwt = await PostOkAsync($"{{{Year}}}", ApiClients.Jwt(Other, Scopes.Admin));
        using var viaBootstrap = await PostOkAsync($"{{{Year}}}", AnalyticsFactory.AdminToken, Other);

        // Caps were set in the main workspace only.
        var (rows, summary) = new ExpectedExtract(events, new Dictionary<string, decimal?>(), forgotten)
            .Compute(Other, Instant("2024-01-01T00:00:00Z"), Instant("2025-04-01T00:00:00Z"), "day");
        Assert.Multiple(() =>
        {
            Assert.That(Rows(viaKey), Is.EqualTo(rows));
            Assert.That(Summary(viaKey), Is.EqualTo(summary));
            Assert.That(Rows(viaKey), Has.Count.EqualTo(events.Where(e => e.Workspace == Other).GroupBy(e => (e.UserId, e.Institution, e.Day)).Count()));
            Assert.That(Rows(viaKey).Select(r => r.CapLimit), Is.All.Null, "caps belong to the other workspace");
            Assert.That(Rows(viaJwt), Is.EqualTo(Rows(viaKey)));
            Assert.That(Rows(viaBootstrap), Is.EqualTo(Rows(viaKey)));
        });
    }
}
