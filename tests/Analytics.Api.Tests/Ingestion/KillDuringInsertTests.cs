#if !SERVER_PATH
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>
/// The service on the embedded engine, as a process of its own, flooded and killed (SIGKILL) again and again while
/// it writes, so that kills land inside inserts: the engine dies with the process, with the batch's block in some
/// tables and not in others. After each start the senders send again every request that had no answer, as a client
/// would. At the end every event is stored once, and the two query APIs that read the rollups give exactly the
/// figures of the events sent.
/// </summary>
[NonParallelizable]
public sealed class KillDuringInsertTests
{
    private const string Workspace = "ws-kill-insert";
    private const int Requests = 96;
    private const int PerRequest = 1500;
    private const int Senders = 8;
    private const string InFlightReplayed = "Sent again the block of";
    private static readonly string[] Prompts = ["p1", "p2", "p3", "p4"];
    private static readonly (Guid Id, string Name)[] Products =
    [
        (Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001"), "Alpha"),
        (Guid.Parse("aaaaaaaa-0000-0000-0000-000000000002"), "Beta"),
    ];

    /// <summary>Two months, so that a block writes two parts to each table (one per month's partition).</summary>
    private static readonly string[] Days = ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"];

    [Test]
    public async Task RollupsAreTheEventsSent_WhenTheServiceIsKilledDuringInserts()
    {
        var folder = Path.Combine(Path.GetTempPath(), "analytics-kill-insert-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var service = new ServiceProcess("analytics", folder);
            await service.StartAsync();
            var key = await service.CreateKeyAsync(Workspace, ["ingest", "read"]);
            var bodies = Enumerable.Range(0, Requests).Select(Body).ToArray();
            var unanswered = new ConcurrentQueue<int>(Enumerable.Range(0, Requests));
            var random = new Random(16);
            var kills = 0;
            var landedInInserts = 0;

            // Kill until four kills have come during an insert (the next start finds the block in flight), at most 16 times.
            // Not every such kill leaves the tables apart (it may come before the first part commits), so one would
            // not be enough to show much.
            while (!unanswered.IsEmpty)
            {
                var flood = SendAllAsync(service.Client, key, bodies, unanswered);
                if (landedInInserts < 4 && kills < 16)
                {
                    await Task.Delay(random.Next(150, 600));
                    service.Kill();
                    kills++;
                    await flood;
                    await service.RestartAsync();
                    landedInInserts += service.OutputOfThisStart.Contains(InFlightReplayed, StringComparison.Ordinal) ? 1 : 0;
                }
                else
                {
                    await flood;
                }
            }

            TestContext.Out.WriteLine($"{kills} kills, {landedInInserts} of them during an insert");
            Assert.That(landedInInserts, Is.GreaterThanOrEqualTo(1), $"no kill of {kills} came during an insert, so the test showed nothing");

            // Every event is stored: sent again, each is a duplicate.
            foreach (var body in bodies)
            {
                var again = await PostAsync(service.Client, key, body);
                Assert.That((again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()), Is.EqualTo((0, PerRequest)));
            }

            await AssertPromptStatsAsync(service.Client, key);
            await AssertPromptUsageAsync(service.Client, key);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Sends the requests left in <paramref name="unanswered"/>; one that gets no answer (the process died) goes back.</summary>
    private static async Task SendAllAsync(HttpClient client, string key, string[] bodies, ConcurrentQueue<int> unanswered)
    {
        var failed = new ConcurrentBag<int>();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            while (unanswered.TryDequeue(out var i))
            {
                try
                {
                    var body = await PostAsync(client, key, bodies[i]);
                    Assert.That(body.GetProperty("quarantined").GetInt32(), Is.Zero);
                }
                catch (HttpRequestException)
                {
                    failed.Add(i);
                    return; // the process is gone: this sender stops, and its request waits for the next start
                }
            }
        }));
        foreach (var i in failed)
        {
            unanswered.Enqueue(i);
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string key, string ndjson)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Authorization = new("Bearer", key);
        using var response = await client.SendAsync(request);
        if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
        {
            throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    /// <summary>Event <paramref name="n"/>: a prompt, a product, a user and a day that follow from its number.</summary>
    private static (string Prompt, (Guid Id, string Name) Product, string User, string Day, decimal Cost) Event(int n) =>
        (Prompts[n % Prompts.Length], Products[n / 7 % Products.Length], $"u{n % 13}", Days[n / 11 % Days.Length], (n % 10 + 1) / 100m);

    private static string Body(int request)
    {
        var lines = new StringBuilder();
        for (var j = 0; j < PerRequest; j++)
        {
            var n = request * PerRequest + j;
            var e = Event(n);
            lines.Append(CultureInfo.InvariantCulture,
                    $"{{\"event_id\":\"k-{n}\",\"timestamp\":\"{e.Day}T{n % 24:D2}:00:00Z\",\"user_id\":\"{e.User}\",\"user_email\":\"{e.User}@example.com\",")
                .Append(CultureInfo.InvariantCulture, $"\"prompt_id\":\"{e.Prompt}\",\"product_id\":\"{e.Product.Id}\",\"product_name\":\"{e.Product.Name}\",\"cost\":{e.Cost},\"credits\":1}}\n");
        }

        return lines.ToString();
    }

    private static IEnumerable<int> All => Enumerable.Range(0, Requests * PerRequest);

    private static async Task AssertPromptStatsAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analytics/saas/prompt-templates/stats")
        {
            Content = JsonContent.Create(new { dateFrom = Days[0], dateTo = Days[^1], prompt_ids = Prompts }),
        };
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.Add("X-Workspace-Id", Workspace);
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var stats = (await response.JsonAsync()).GetProperty("data").GetProperty("stats");

        var actual = Prompts.Select(p => Figures(stats.GetProperty(p))).ToList();
        var expected = Prompts.Select(p =>
        {
            var of = All.Select(Event).Where(e => e.Prompt == p).ToList();
            var days = Days.Select(d => $"{d}:{of.Count(e => e.Day == d)}");
            return $"{of.Count} calls, {Number(of.Sum(e => e.Cost))} cost; {string.Join(' ', days)}";
        }).ToList();
        Assert.That(actual, Is.EqualTo(expected), "API A: prompt_daily is the events sent, once each");

        static string Figures(JsonElement stat) =>
            $"{stat.GetProperty("total_calls").GetInt64()} calls, {Number(stat.GetProperty("cost_sum").GetDecimal())} cost; "
            + string.Join(' ', stat.GetProperty("call_sparkline").EnumerateArray().Select(point => $"{point.GetProperty("date").GetString()}:{point.GetProperty("value").GetInt64()}"));
    }

    private static string Number(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    private static async Task AssertPromptUsageAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{Products[0].Id}/usage/prompts?start_date={Days[0]}&end_date={Days[^1]}");
        request.Headers.Add("X-API-Key", key);
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var actual = (await response.JsonAsync()).EnumerateArray()
            .Select(row => $"{row.GetProperty("date").GetString()} {row.GetProperty("product_name").GetString()} {row.GetProperty("user_email").GetString()} {row.GetProperty("prompt_count").GetInt64()}")
            .Order(StringComparer.Ordinal).ToList();
        var expected = All.Select(Event)
            .GroupBy(e => (e.Day, e.Product.Name, e.User))
            .Select(g => $"{g.Key.Day} {g.Key.Name} {g.Key.User}@example.com {g.Count()}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.That(actual, Is.EqualTo(expected), "API B: product_user_daily and the profiles are the events sent, once each");
    }
}
#endif
