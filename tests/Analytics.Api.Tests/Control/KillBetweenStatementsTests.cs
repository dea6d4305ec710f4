#if SERVER_PATH && !SERVER_IMAGE
using Analytics.ClickHouse.ADO;

namespace Analytics.Api.Tests.Control;

/// <summary>
/// The service as a process of its own, killed right after each statement in turn of a round of ingestion and
/// forgetting (the loopback server runs the statement, then the process dies before the answer leaves), started
/// again, and the round sent again whole, as a client that never heard back would. After every round the rollups
/// and profiles must be exactly the raw events less forgotten histories, and every event stored once.
/// </summary>
[NonParallelizable]
public sealed class KillBetweenStatementsTests
{
    private const string Workspace = "ws-kill";
    private const string Database = "t_kill_between_statements";
    private const string Product1 = "11111111-1111-1111-1111-111111111111";
    private const string Product2 = "22222222-2222-2222-2222-222222222222";

    [Test]
    public async Task RollupsAreTheRawEventsLessForgottenHistories_WhenTheServiceIsKilledAfterAnyStatement()
    {
        await using (var admin = new ClickHouseConnection(AnalyticsFactory.EngineConnectionString("default")))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS `{Database}` SYNC");
        }

        await using var service = new ServiceProcess(Database);
        await service.StartAsync();
        var key = await service.CreateKeyAsync(Workspace, ["ingest", "admin"]);
        var killedAfter = new List<string>();
        var sent = new HashSet<string>(StringComparer.Ordinal);

        // Round k kills after its k-th statement; the first round that runs out of statements before its k-th ends it.
        for (var k = 1; k <= 100; k++)
        {
            service.KillAfterStatement(k);
            try
            {
                await RoundAsync(service.Client, key, k, sent);
            }
            catch (HttpRequestException) when (service.KilledAfter is not null)
            {
                // killed part way: the answer never came
            }

            service.Disarm();
            if (service.KilledAfter is not { } statement)
            {
                break;
            }

            killedAfter.Add(statement.Replace("`", string.Empty, StringComparison.Ordinal));
            await service.RestartAsync();
            await RoundAsync(service.Client, key, k, sent);
            await AssertConsistentAsync($"round {k}, killed after: {FirstLine(statement)}", sent);
        }

        TestContext.Out.WriteLine($"Killed after each of {killedAfter.Count} statements:\n  " + string.Join("\n  ", killedAfter.Select(FirstLine)));
        Assert.That(killedAfter, Has.Some.StartsWith("INSERT INTO events"), "a round's statements include the events' insert");
        foreach (var table in new[] { "prompt_daily", "product_user_daily", "user_institution_daily", "forgotten_histories", "forget_finished" })
        {
            Assert.That(killedAfter, Has.Some.StartsWith($"INSERT INTO {table} "), $"a round's statements include the insert into {table}");
        }
    }

    /// <summary>
    /// Events of four histories over two days, two of the histories forgotten, then a late event of a forgotten
    /// history, an event of a new one and an event sent before. Ids carry the round, so every round is new data.
    /// </summary>
    private static async Task RoundAsync(HttpClient client, string key, int round, HashSet<string> sent)
    {
        string Id(string name) => $"r{round}-{name}";
        string Line(string id, string day, string user, string? prompt, string? product, string? history, decimal cost, string institution = "i1") =>
            Events.Line(Id(id), $"2026-01-{day}T10:{round % 60:D2}:00Z", user, prompt, cost, credits: cost * 4, history: history is null ? null : Id(history),
                extra: $"\"institution_id\":\"{institution}\",\"user_email\":\"{user}-{round}@example.com\"" + (product is null ? string.Empty : $",\"product_id\":\"{product}\""));

        string[] first =
        [
            Line("e1", "10", "u1", "p1", Product1, "a", 0.10m),
            Line("e2", "11", "u2", "p2", Product2, "a", 0.20m),
            Line("e3", "10", "u1", "p1", null, "b", 0.30m, institution: "i2"),
            Line("e4", "11", "u3", null, Product1, "b", 0.40m),
            Line("e5", "10", "u1", "p1", Product1, "c", 0.50m),
            Line("e6", "11", "u2", "p2", Product2, null, 0.60m),
        ];
        string[] second =
        [
            Line("e7", "10", "u1", "p1", Product1, "a", 0.70m),
            Line("e8", "11", "u3", "p2", Product2, "d", 0.80m),
            first[1],
        ];

        await SendAsync(client, key, first);
        var forget = await client.SendAsync(Request(HttpMethod.Post, "/v1/histories/forget", key, JsonContent.Create(new { history_ids = new[] { Id("a"), Id("b") } })));
        Assert.That(forget.StatusCode, Is.EqualTo(HttpStatusCode.OK), await forget.Content.ReadAsStringAsync());
        await SendAsync(client, key, second);
        sent.UnionWith(new[] { "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8" }.Select(Id));
    }

    private static async Task SendAsync(HttpClient client, string key, string[] lines)
    {
        var response = await client.SendAsync(Request(HttpMethod.Post, "/v1/events", key, Events.Ndjson(lines)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await response.JsonAsync()).GetProperty("quarantined").GetInt32(), Is.Zero);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string key, HttpContent content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new("Bearer", key);
        return request;
    }

    /// <summary>Each rollup and profile, keyed and summed as its readers do, beside the same figures from the raw events less forgotten histories.</summary>
    private static async Task AssertConsistentAsync(string when, HashSet<string> sent)
    {
        const string Remaining = $"workspace_id = '{Workspace}' AND (workspace_id, history_id) NOT IN (SELECT workspace_id, history_id FROM forgotten_histories)";
        (string Name, string Stored, string Raw)[] checks =
        [
            ("prompt_daily",
                $"SELECT toString((prompt_id, day, sum(calls), sum(cost))) AS row FROM prompt_daily WHERE workspace_id = '{Workspace}' GROUP BY prompt_id, day HAVING sum(calls) != 0 OR sum(cost) != 0 ORDER BY row",
                $"SELECT toString((prompt_id, toDate(timestamp) AS day, toInt64(count()), toDecimal128(sum(cost), 9))) AS row FROM events WHERE prompt_id != '' AND {Remaining} GROUP BY prompt_id, day ORDER BY row"),
            ("product_user_daily",
                $"SELECT toString((day, product_id, user_id, origin, sum(prompts))) AS row FROM product_user_daily WHERE workspace_id = '{Workspace}' GROUP BY day, product_id, user_id, origin HAVING sum(prompts) != 0 ORDER BY row",
                $"SELECT toString((toDate(timestamp) AS day, product_id, user_id, origin, toInt64(count()))) AS row FROM events WHERE product_id != toUUID('00000000-0000-0000-0000-000000000000') AND {Remaining} GROUP BY day, product_id, user_id, origin ORDER BY row"),
            ("user_institution_daily",
                $"SELECT toString((day, user_id, institution_id, account_id, user_role, sum(queries), sum(credits))) AS row FROM user_institution_daily WHERE workspace_id = '{Workspace}' GROUP BY day, user_id, institution_id, account_id, user_role HAVING sum(queries) != 0 OR sum(credits) != 0 ORDER BY row",
                $"SELECT toString((toDate(timestamp) AS day, user_id, institution_id, account_id, user_role, toInt64(count()), toDecimal128(sum(credits), 6))) AS row FROM events WHERE {Remaining} GROUP BY day, user_id, institution_id, account_id, user_role ORDER BY row"),
            ("user_profiles_sent",
                $"SELECT toString((user_id, institution_id, substring(max(user_email), 24), max(seen_at))) AS row FROM user_profiles_sent WHERE workspace_id = '{Workspace}' GROUP BY user_id, institution_id ORDER BY row",
                $"SELECT toString((user_id, institution_id, argMax(user_email, timestamp), max(timestamp))) AS row FROM events WHERE {Remaining} GROUP BY user_id, institution_id ORDER BY row"),
        ];

        await using var connection = new ClickHouseConnection(AnalyticsFactory.EngineConnectionString(Database));
        await connection.OpenAsync();
        var stored = await connection.QuerySingleAsync<(ulong Events, ulong Ids)>($"SELECT count(), uniqExact(event_id) FROM events WHERE workspace_id = '{Workspace}'");
        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.EqualTo(((ulong)sent.Count, (ulong)sent.Count)), $"{when}: every event sent is stored, once");
            foreach (var (name, fromRollup, fromEvents) in checks)
            {
                Assert.That((await connection.QueryAsync<string>(fromRollup)).ToList(), Is.EqualTo((await connection.QueryAsync<string>(fromEvents)).ToList()),
                    $"{when}: {name} is the raw events less forgotten histories");
            }
        });
    }

    private static string FirstLine(string sql) => sql.Split('\n', 2)[0];
}
#endif
