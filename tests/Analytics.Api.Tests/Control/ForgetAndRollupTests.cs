using System.Globalization;

namespace Analytics.Api.Tests.Control;

/// <summary>
/// The rollups equal aggregates computed here, in C#, from the events this test sent, minus the
/// forgotten histories, before and after forgetting, and for events that arrive late.
/// </summary>
public sealed class ForgetAndRollupTests
{
    private const string Workspace = "ws-rollup";
    private static readonly string[] Prompts = ["p-a", "p-b", "p-c"];
    private static readonly string[] Origins = ["APP", "SLACK", "API_KEY"];
    private static readonly Guid[] Products = [Guid.Parse("11111111-1111-1111-1111-111111111111"), Guid.Parse("22222222-2222-2222-2222-222222222222")];

    private AnalyticsFactory factory = null!;
    private HttpClient ingest = null!;
    private HttpClient admin = null!;
    private readonly List<Sent> sent = [];

    private sealed record Sent(string Id, DateTime At, string User, string Prompt, Guid Product, string Origin, string Institution, string History, decimal Cost, decimal Credits);

    [OneTimeSetUp]
    public async Task Start()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(ForgetAndRollupTests));
        ingest = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        admin = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["admin"]));

        var random = new Random(42);
        for (var i = 0; i < 600; i++)
        {
            sent.Add(new Sent(
                $"e-{i}",
                new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(0, 60 * 24 * 5)),
                $"user-{random.Next(6)}",
                Prompts[random.Next(Prompts.Length)],
                Products[random.Next(Products.Length)],
                Origins[random.Next(Origins.Length)],
                $"inst-{random.Next(2)}",
                $"h-{random.Next(20)}",
                Math.Round((decimal)random.NextDouble(), 6),
                Math.Round((decimal)random.NextDouble() * 10, 3)));
        }

        foreach (var chunk in sent.Chunk(200))
        {
            var response = await ingest.PostAsync("/v1/events", Events.Ndjson(chunk.Select(Line).ToArray()));
            Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(chunk.Length));
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        ingest.Dispose();
        admin.Dispose();
        await factory.DisposeAsync();
    }

    [Test, Order(1)]
    public async Task Rollups_EqualTheRawAggregates()
    {
        await AssertRollupsMatchAsync([]);
    }

    [Test, Order(2)]
    public async Task Forgetting_RemovesHistoriesFromEveryRollup_AndIsIdempotent()
    {
        var first = await (await admin.PostAsJsonAsync("/v1/histories/forget", new { history_ids = new[] { "h-1", "h-2", "h-unknown" } })).JsonAsync();
        await AssertRollupsMatchAsync(["h-1", "h-2"]);

        var again = await (await admin.PostAsJsonAsync("/v1/histories/forget", new { history_ids = new[] { "h-2", "h-3" } })).JsonAsync();

        Assert.That(first.GetProperty("forgotten").GetInt32(), Is.EqualTo(3));
        Assert.That(again.GetProperty("already_forgotten").GetInt32(), Is.EqualTo(1));
        await AssertRollupsMatchAsync(["h-1", "h-2", "h-3"]);
    }

    [Test, Order(3)]
    public async Task LateEvents_OfAForgottenHistory_NeverCount()
    {
        var late = new Sent("late-1", new DateTime(2026, 3, 2, 12, 0, 0, DateTimeKind.Utc), "user-1", "p-a", Products[0], "APP", "inst-0", "h-1", 5m, 5m);
        var response = await ingest.PostAsync("/v1/events", Events.Ndjson(Line(late)));

        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(1));
        await AssertRollupsMatchAsync(["h-1", "h-2", "h-3"]);
    }

    [Test]
    public async Task NamesSeenOnlyInForgottenHistories_NoLongerShowAsTheLatest()
    {
        // A workspace of its own, so that the rollup comparisons above never see these events.
        using var ingestNames = factory.CreateClient(await factory.CreateKeyAsync("ws-names", ["ingest", "admin"]));
        var product = Guid.NewGuid();
        string Named(string id, string at, string history, string email, string productName) => Events.Line(id, at, "named-user", "p-n", 0m, 1m, history,
            $"\"user_email\":\"{email}\",\"product_id\":\"{product}\",\"product_name\":\"{productName}\"");
        await ingestNames.PostAsync("/v1/events", Events.Ndjson(
            Named("n-1", "2026-04-01T10:00:00Z", "hn-old", "old@example.com", "Old name"),
            Named("n-2", "2026-04-02T10:00:00Z", "hn-secret", "secret@example.com", "Secret name")));
        await using var connection = await factory.OpenConnectionAsync();
        const string latest = """
            SELECT (SELECT substring(max(user_email), 24) FROM user_profiles_sent WHERE workspace_id = 'ws-names' AND user_id = 'named-user'),
                   (SELECT substring(max(product_name), 24) FROM product_names_sent WHERE workspace_id = 'ws-names' AND product_id = {p:UUID})
            """;
        var parameters = new DynamicParameters(new { p = product }) { RemoveUnused = false };
        Assert.That(await connection.QuerySingleAsync<(string, string)>(latest, parameters), Is.EqualTo(("secret@example.com", "Secret name")));

        await ingestNames.PostAsJsonAsync("/v1/histories/forget", new { history_ids = new[] { "hn-secret" } });
        await ingestNames.PostAsync("/v1/events", Events.Ndjson(Named("n-3", "2026-04-03T10:00:00Z", "hn-secret", "later@example.com", "Later name")));

        Assert.That(await connection.QuerySingleAsync<(string, string)>(latest, parameters), Is.EqualTo(("old@example.com", "Old name")));
    }

    [Test]
    public async Task Forget_ChecksItsInput_AndItsCredential()
    {
        using var reader = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["read"]));

        Assert.Multiple(async () =>
        {
            Assert.That((await admin.PostAsJsonAsync("/v1/histories/forget", new { history_ids = Array.Empty<string>() })).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await admin.PostAsJsonAsync("/v1/histories/forget", new { other = 1 })).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await reader.PostAsJsonAsync("/v1/histories/forget", new { history_ids = new[] { "h-9" } })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    private async Task AssertRollupsMatchAsync(string[] forgotten)
    {
        var live = sent.Where(s => !forgotten.Contains(s.History)).ToList();
        await using var connection = await factory.OpenConnectionAsync();
        var parameters = new DynamicParameters(new { w = Workspace }) { RemoveUnused = false };

        var prompts = (await connection.QueryAsync<(string Prompt, DateOnly Day, long Calls, decimal Cost)>(
            "SELECT prompt_id, day, sum(calls) AS c, sum(cost) FROM prompt_daily WHERE workspace_id = {w:String} GROUP BY prompt_id, day HAVING c != 0 ORDER BY prompt_id, day", parameters)).ToList();
        var expectedPrompts = live.GroupBy(s => (s.Prompt, Day: DateOnly.FromDateTime(s.At))).OrderBy(g => g.Key.Prompt, StringComparer.Ordinal).ThenBy(g => g.Key.Day)
            .Select(g => (g.Key.Prompt, g.Key.Day, (long)g.Count(), g.Sum(s => s.Cost))).ToList();

        var products = (await connection.QueryAsync<(Guid Product, string User, string Origin, DateOnly Day, long Prompts)>(
            "SELECT product_id, user_id, origin, day, sum(prompts) AS c FROM product_user_daily WHERE workspace_id = {w:String} GROUP BY product_id, user_id, origin, day HAVING c != 0 ORDER BY product_id, user_id, origin, day", parameters)).ToList();
        var expectedProducts = live.GroupBy(s => (s.Product, s.User, s.Origin, Day: DateOnly.FromDateTime(s.At)))
            .OrderBy(g => g.Key.Product).ThenBy(g => g.Key.User, StringComparer.Ordinal).ThenBy(g => g.Key.Origin, StringComparer.Ordinal).ThenBy(g => g.Key.Day)
            .Select(g => (g.Key.Product, g.Key.User, g.Key.Origin, g.Key.Day, (long)g.Count())).ToList();

        var users = (await connection.QueryAsync<(string User, string Institution, long Queries, decimal Credits)>(
            "SELECT user_id, institution_id, sum(queries) AS q, sum(credits) FROM user_institution_daily WHERE workspace_id = {w:String} GROUP BY user_id, institution_id HAVING q != 0 ORDER BY user_id, institution_id", parameters)).ToList();
        var expectedUsers = live.GroupBy(s => (s.User, s.Institution)).OrderBy(g => g.Key.User, StringComparer.Ordinal).ThenBy(g => g.Key.Institution, StringComparer.Ordinal)
            .Select(g => (g.Key.User, g.Key.Institution, (long)g.Count(), g.Sum(s => s.Credits))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(prompts, Is.EqualTo(expectedPrompts));
            Assert.That(products, Is.EqualTo(expectedProducts));
            Assert.That(users, Is.EqualTo(expectedUsers));
        });
    }

    private static string Line(Sent s) =>
        Events.Line(s.Id, s.At.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), s.User, s.Prompt, s.Cost, s.Credits, s.History,
            $"\"product_id\":\"{s.Product}\",\"origin\":\"{s.Origin}\",\"institution_id\":\"{s.Institution}\"");
}
