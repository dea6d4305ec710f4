using System.Globalization;
using System.Text;
using Analytics.Api.Auth;
using Analytics.Api.Control;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Analytics.Api.Tests.Features.TestEvent;

namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>
/// POST /api/admin/histories/charts/user-stats against the extract computed here from the inserted events. The service
/// runs on a clock fixed at Wednesday 2025-03-12 15:30 UTC, so range and default windows are known.
/// </summary>
public sealed partial class UserStatsApiTests
{
    private const string Path = "/api/admin/histories/charts/user-stats";
    private const string Workspace = "us_main";
    private const string Other = "us_other";
    private static readonly DateTimeOffset Now = new(2025, 3, 12, 15, 30, 0, TimeSpan.Zero);

    private static readonly (string Id, string Email, string First, string Last, string[] Institutions, string[] Accounts, string[] Roles)[] Users =
    [
        ("u1", "ada@uni.edu", "Ada", "Lovelace", ["i1", "i2"], ["a1"], ["user"]),
        ("u2", "grace@navy.mil", "Grace", "Hopper", ["i1"], ["a2"], ["admin", "user"]),
        ("u3", "alan@bletchley.uk", "Alan", "Turing", ["i2"], ["a1", "a2"], ["user", "super"]),
        ("u4", "edsger@tue.nl", "Edsger", "Dijkstra", ["i3"], ["a2"], ["user"]),
        ("u5", "barbara@mit.edu", "Barbara", "Liskov", ["i2"], ["a1"], ["admin"]),
        ("u6", "o'neil, \"q\"@x.org", "=cmd|' /C calc'!A0", "Line\nBreak", ["i,4"], ["a3"], ["user"]),
    ];

    private readonly List<TestEvent> events = [];
    private readonly Dictionary<string, decimal?> caps = new(StringComparer.Ordinal);
    private readonly HashSet<string> forgotten = new(StringComparer.Ordinal);
    private AnalyticsFactory factory = null!;
    private WebApplicationFactory<Program> clocked = null!;
    private string adminKey = null!;
    private string readKey = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        factory = await AnalyticsFactory.StartFreshAsync("features_user_stats");
        clocked = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(new FixedClock(Now))));
        adminKey = await factory.CreateKeyAsync(Workspace, [Scopes.Admin]);
        readKey = await factory.CreateKeyAsync(Workspace, [Scopes.Read, Scopes.Ingest]);

        var random = new Random(11);
        var from = Utc(2024, 1, 1);
        var span = (long)(Utc(2025, 3, 14) - from).TotalMilliseconds;
        for (var i = 0; i < 4000; i++)
        {
            events.Add(Event(Users[random.Next(Users.Length)], from.AddMilliseconds(random.NextInt64(span)), random));
        }

        // Instants at the edges of days, weeks (Monday), months and the windows the tests use.
        DateTime[] edges =
        [
            Utc(2025, 3, 9, 23, 59, 59, 999), Utc(2025, 3, 10), Utc(2025, 3, 2, 23, 59, 59, 999), Utc(2025, 3, 3),
            Utc(2025, 2, 28, 23, 59, 59, 999), Utc(2025, 3, 1), Utc(2024, 12, 31, 23, 59, 59, 999), Utc(2025, 1, 1),
            Utc(2025, 2, 10, 23, 59, 59, 999), Utc(2025, 2, 11), Utc(2024, 12, 18, 23, 59, 59, 999), Utc(2024, 12, 19),
            Utc(2024, 3, 12, 23, 59, 59, 999), Utc(2024, 3, 13), Utc(2025, 3, 12, 23, 59, 59, 999), Utc(2025, 3, 13),
            Utc(2025, 2, 3, 11, 59, 59, 999), Utc(2025, 2, 3, 12), Utc(2025, 2, 10, 6, 30, 0, 499), Utc(2025, 2, 10, 6, 30, 0, 500),
            Utc(2025, 2, 5, 8, 0, 0, 1), Utc(2025, 2, 5, 9, 0, 0, 1),
        ];
        events.AddRange(edges.SelectMany(at => Users.Select(u => Event(u, at, random))));

        // Ada once had another email at i1; the latest one wins.
        events.Add(Event(Users[0], Utc(2024, 1, 1, 0, 0, 0, 1), random) with { Institution = "i1", Email = "ada@old.edu" });

        // Another workspace with the same user ids.
        events.AddRange(Enumerable.Range(0, 200).Select(i => Event(Users[i % 3], Utc(2025, 3, 1).AddHours(i), random) with { Workspace = Other }));

        // A history forgotten before the query: gone from rollups and raw events alike.
        events.Add(Event(Users[3], Utc(2025, 2, 3, 13), random) with { HistoryId = "h-forgotten", Credits = 1000m });
        events.Add(Event(Users[3], Utc(2025, 2, 4), random) with { HistoryId = "h-forgotten", Credits = 1000m });
        await InsertAsync(factory, events);
        await factory.ForgetAsync(Workspace, "h-forgotten");
        forgotten.Add("h-forgotten");

        // Arrived after forgetting: never counted either.
        TestEvent[] late = [Event(Users[3], Utc(2025, 2, 3, 14), random) with { HistoryId = "h-forgotten", Credits = 1000m }];
        events.AddRange(late);
        await InsertAsync(factory, late);

        // Caps above, at and below lifetime use, one cleared, one zero, one never set.
        var lifetime = events.Where(e => e.Workspace == Workspace && !forgotten.Contains(e.HistoryId)).GroupBy(e => e.UserId).ToDictionary(g => g.Key, g => g.Sum(e => e.Credits));
        await SetCapAsync("u1", lifetime["u1"] - 1.5m);
        await SetCapAsync("u2", lifetime["u2"]);
        await SetCapAsync("u3", lifetime["u3"] + 0.000001m);
        await SetCapAsync("u4", 5m);
        await SetCapAsync("u4", null);
        await SetCapAsync("u6", 0m);
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await clocked.DisposeAsync();
        await factory.DisposeAsync();
    }

    private ExpectedExtract Expected => new(events, caps, forgotten);

    private static TestEvent Event((string Id, string Email, string First, string Last, string[] Institutions, string[] Accounts, string[] Roles) user, DateTime at, Random random)
    {
        var institution = user.Institutions[random.Next(user.Institutions.Length)];
        return new TestEvent(Workspace, user.Id, at)
        {
            Email = user.Email, FirstName = user.First, LastName = user.Last, Institution = institution,
            Account = user.Accounts[random.Next(user.Accounts.Length)], Role = user.Roles[random.Next(user.Roles.Length)],
            InstanceName = "instance-" + institution, AiName = "ai-" + institution, HistoryId = "h" + random.Next(50),
            Credits = random.Next(5_000_000) / 1_000_000m,
        };
    }

    private async Task SetCapAsync(string user, decimal? cap)
    {
        await factory.Services.GetRequiredService<ControlStore>().SetCapAsync(Workspace, user, cap, CancellationToken.None);
        caps[user] = cap;
    }

    private HttpClient Client(string? token = null, string? workspace = null)
    {
        var client = clocked.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add("x-access-token", token);
        }

        if (workspace is not null)
        {
            client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        }

        return client;
    }

    private async Task<JsonDocument> PostOkAsync(string json, string? token = null, string? workspace = null)
    {
        using var client = Client(token ?? adminKey, workspace);
        using var response = await client.PostAsync(Path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text);
    }

    private static List<ExtractRow> Rows(JsonDocument body) => [.. body.RootElement.GetProperty("data").EnumerateArray().Select(ExtractRow.FromJson)];

    private static ExtractSummary Summary(JsonDocument body) => ExtractSummary.FromJson(body.RootElement.GetProperty("summary"));

    private static DateTime Instant(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private void AssertMatches(JsonDocument body, string workspace, DateTime start, DateTime end, string granularity, ExtractFilter? filter = null)
    {
        var (rows, summary) = Expected.Compute(workspace, start, end, granularity, filter);
        Assert.Multiple(() =>
        {
            Assert.That(Rows(body), Is.EqualTo(rows));
            Assert.That(Summary(body), Is.EqualTo(summary));
            Assert.That(body.RootElement.GetProperty("truncated").GetBoolean(), Is.False);
        });
    }
}
