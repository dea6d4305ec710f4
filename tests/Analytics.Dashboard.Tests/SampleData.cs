extern alias loadtest;

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using loadtest::Analytics.LoadTest;
using loadtest::Analytics.LoadTest.Generation;
using loadtest::Analytics.LoadTest.Model;

namespace Analytics.Dashboard.Tests;

/// <summary>What the tests ingest, through POST /v1/events as a gateway would.</summary>
internal static class SampleData
{
    public static readonly (Guid Id, string Name)[] Products =
    [
        (Guid.Parse("3c90c3cc-0d44-4b50-8888-8dd25736052a"), "Copilot"),
        (Guid.Parse("9a1f4c2e-5b7d-4e8a-9c3b-2d6f8e1a7b40"), "Writer"),
        (Guid.Parse("c0ffee00-1234-4abc-8def-0123456789ab"), "Search"),
    ];

    private static readonly string[] Templates = ["tpl-summarize", "tpl-translate", "tpl-code-review", "tpl-welcome", "tpl-sql", "tpl-email-draft", "tpl-meeting-notes", "tpl-faq"];
    private static readonly string[] FirstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Katherine", "Linus", "Margaret", "Dennis", "Frances", "Ken"];
    private static readonly string[] LastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Allen", "Thompson"];
    private static readonly string[] Origins = ["APP", "APP", "APP", "SLACK", "API_KEY"];

    /// <summary>
    /// About <paramref name="count"/> events of 12 users over the last 30 days (ending now), 8 templates, 3 products, two
    /// institutions in two accounts, three origins; the same on every run but for the dates.
    /// </summary>
    public static List<string> Events(int count, int seed = 7)
    {
        var random = new Random(seed);
        var now = DateTime.UtcNow;
        var lines = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var user = (int)Math.Floor(Math.Pow(FirstNames.Length + 1, random.NextDouble()) - 1);
            var template = (int)Math.Floor(Math.Pow(Templates.Length + 1, random.NextDouble()) - 1);
            var product = Products[user % Products.Length];
            var line = new JsonObject
            {
                ["event_id"] = $"s{seed}-{i}",
                ["timestamp"] = now.AddMinutes(-random.Next(30 * 24 * 60)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["user_id"] = $"user-{user:D2}",
                ["user_email"] = $"{FirstNames[user].ToLowerInvariant()}@acme.io",
                ["user_fname"] = FirstNames[user],
                ["user_lname"] = LastNames[user],
                ["user_role"] = user == 0 ? "admin" : "user",
                ["account_id"] = user % 2 == 0 ? "acc-1" : "acc-2",
                ["institution_id"] = user % 3 == 0 ? "inst-south" : "inst-north",
                ["instance_name"] = "acme-prod",
                ["ai_name"] = "Pria",
                ["prompt_id"] = Templates[template],
                ["product_id"] = product.Id.ToString(),
                ["product_name"] = product.Name,
                ["origin"] = Origins[random.Next(Origins.Length)],
                ["history_id"] = $"h-{user}-{random.Next(40)}",
                ["model"] = "gpt-4o-mini",
                ["input_tokens"] = random.Next(50, 4000),
                ["output_tokens"] = random.Next(20, 1500),
                ["cost"] = Math.Round((decimal)random.NextDouble() * 0.05m, 6),
                ["credits"] = Math.Round((decimal)random.NextDouble() * 3m, 2),
            };
            lines.Add(line.ToJsonString());
        }

        return lines;
    }

    /// <summary>One event a day before yesterday for each of <paramref name="users"/> users: that many extract rows.</summary>
    public static List<string> ManyUsers(int users)
    {
        var at = DateTime.UtcNow.Date.AddDays(-2).AddHours(12).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return Enumerable.Range(0, users)
            .Select(u => $"{{\"event_id\":\"m-{u}\",\"timestamp\":\"{at}\",\"user_id\":\"mu-{u:D5}\",\"user_email\":\"mu{u}@big.io\",\"institution_id\":\"inst-big\",\"credits\":1}}")
            .ToList();
    }

    /// <summary>
    /// The load test's synthetic traffic (benchmarks/Analytics.LoadTest: Zipf users and templates, diurnal and weekly
    /// rhythm, growth), scaled down to <paramref name="events"/> events of 2,000 users over the last 30 days.
    /// </summary>
    public static (List<string> Lines, IReadOnlyList<(string UserId, decimal Cap)> Caps) LoadTestTraffic(int events)
    {
        var model = new TrafficModel(new LoadTestOptions
        {
            Phase = "generate", WorkDir = Path.GetTempPath(), Events = events, Days = 30, Users = 2_000, Prompts = 300, Institutions = 12,
            EndDate = DateOnly.FromDateTime(DateTime.UtcNow),
        });
        var generator = new EventGenerator(model);
        using var stream = new MemoryStream();
        using (var writer = new NdjsonEventWriter(stream))
        {
            for (var day = 0; day < generator.EventsPerDay.Length; day++)
            {
                foreach (var e in generator.Day(day).Where(e => e.Timestamp <= DateTime.UtcNow))
                {
                    writer.Write(e);
                }
            }
        }

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return (lines, model.Caps());
    }

    /// <summary>Sends <paramref name="lines"/> in requests of 2,000, as the gateway does; returns the answers added up.</summary>
    public static async Task<(long Accepted, long Duplicates, long Quarantined)> IngestAsync(HttpClient ingest, IReadOnlyList<string> lines)
    {
        long accepted = 0, duplicates = 0, quarantined = 0;
        foreach (var chunk in lines.Chunk(2_000))
        {
            using var response = await ingest.PostAsync("/v1/events", new StringContent(string.Join('\n', chunk) + "\n", Encoding.UTF8, "application/x-ndjson"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            using var body = JsonDocument.Parse(text);
            accepted += body.RootElement.GetProperty("accepted").GetInt64();
            duplicates += body.RootElement.GetProperty("duplicates").GetInt64();
            quarantined += body.RootElement.GetProperty("quarantined").GetInt64();
        }

        return (accepted, duplicates, quarantined);
    }

    public static async Task SetCapAsync(HttpClient admin, string user, decimal cap)
    {
        using var response = await admin.PutAsJsonAsync($"/v1/users/{Uri.EscapeDataString(user)}/cap", new { cap_limit = cap });
        response.EnsureSuccessStatusCode();
    }
}
