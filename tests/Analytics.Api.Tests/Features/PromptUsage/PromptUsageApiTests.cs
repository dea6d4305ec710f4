using System.Globalization;
using Analytics.Api.Auth;
using Analytics.Api.Control;
using Microsoft.Extensions.DependencyInjection;
using static Analytics.Api.Tests.Features.TestEvent;

namespace Analytics.Api.Tests.Features.PromptUsage;

/// <summary>GET /api/v1/products/{product_id}/usage/prompts against aggregates computed here from the inserted events.</summary>
public sealed class PromptUsageApiTests
{
    private const string Workspace = "pu_main";
    private const string Other = "pu_other";
    private static readonly Guid Alpha = Guid.Parse("3c90c3cc-0d44-4b50-8888-8dd25736052a");
    private static readonly Guid Beta = Guid.Parse("11111111-2222-4333-8444-555555555555");
    private static readonly Guid Gamma = Guid.Parse("99999999-2222-4333-8444-555555555555");
    private static readonly Guid OtherProduct = Guid.Parse("aaaaaaaa-2222-4333-8444-555555555555");
    private static readonly string[] Origins = ["APP", "SLACK", "API_KEY"];

    private static readonly (string Id, string Email, string First, string Last)[] Users =
    [
        ("0b7e7dd5-0000-4000-8000-000000000001", "ada@example.com", "Ada", "Lovelace"),
        ("0b7e7dd5-0000-4000-8000-000000000002", "grace.hopper@navy.mil", "Grace", "Hopper"),
        ("0b7e7dd5-0000-4000-8000-000000000003", "alan@bletchley.uk", "Alan", "Turing"),
        ("0b7e7dd5-0000-4000-8000-000000000004", "o'brien%_@example.com", "Conan", "O'Brien"),
        ("0b7e7dd5-0000-4000-8000-000000000005", "zed@example.com", "Zoë", "Ünal"),
    ];

    private readonly List<TestEvent> events = [];
    private AnalyticsFactory factory = null!;
    private string alphaKey = null!;
    private string workspaceKey = null!;
    private string alphaIngestKey = null!;
    private string otherKey = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        factory = await AnalyticsFactory.StartFreshAsync("features_prompt_usage");
        alphaKey = await factory.CreateKeyAsync(Workspace, [Scopes.Read], Alpha);
        workspaceKey = await factory.CreateKeyAsync(Workspace, [Scopes.Read]);
        alphaIngestKey = await factory.CreateKeyAsync(Workspace, [Scopes.Ingest, Scopes.Admin], Alpha);
        otherKey = await factory.CreateKeyAsync(Other, [Scopes.Read], OtherProduct);

        var random = new Random(7);
        var products = new[] { (Alpha, "Alpha"), (Beta, "Beta"), (Gamma, "Gamma"), (Guid.Empty, string.Empty) };
        var start = Utc(2024, 3, 1);
        for (var i = 0; i < 2000; i++)
        {
            var (product, name) = products[random.Next(products.Length)];
            var user = Users[random.Next(Users.Length)];
            events.Add(new TestEvent(Workspace, user.Id, start.AddMilliseconds(random.NextInt64((long)TimeSpan.FromDays(20).TotalMilliseconds)))
            {
                ProductId = product, ProductName = name, Email = user.Email, FirstName = user.First, LastName = user.Last,
                Origin = Origins[random.Next(Origins.Length)],
            });
        }

        // Older events name Alpha and Ada differently: the latest names win.
        events.Add(new TestEvent(Workspace, Users[0].Id, Utc(2024, 2, 1)) { ProductId = Alpha, ProductName = "Alpha (old)", Email = "ada@old.example", FirstName = "Ada", LastName = "Byron" });

        // The edges of the window's days, to the millisecond.
        events.Add(new TestEvent(Workspace, Users[1].Id, Utc(2024, 3, 24, 23, 59, 59, 999)) { ProductId = Beta, ProductName = "Beta", Email = Users[1].Email, FirstName = "Grace", LastName = "Hopper" });
        events.Add(new TestEvent(Workspace, Users[1].Id, Utc(2024, 3, 25)) { ProductId = Beta, ProductName = "Beta", Email = Users[1].Email, FirstName = "Grace", LastName = "Hopper" });

        for (var i = 0; i < 50; i++)
        {
            events.Add(new TestEvent(Other, Users[i % 2].Id, start.AddHours(i * 7)) { ProductId = OtherProduct, ProductName = "Elsewhere", Email = "other@example.com" });
        }

        await InsertAsync(factory, events);
    }

    [OneTimeTearDown]
    public async Task TearDown() => await factory.DisposeAsync();

    [TestCase("2024-03-01", "2024-03-31")]
    [TestCase("2024-03-05", "2024-03-05")]
    [TestCase("2024-03-24", "2024-03-25")]
    [TestCase("2024-01-01", "2024-02-01")]
    public async Task ProductBoundKey_SeesEveryProductOfTheWorkspace(string start, string end)
    {
        var rows = await GetOkAsync(alphaKey, Alpha, $"start_date={start}&end_date={end}");

        Assert.That(rows, Is.EqualTo(Expected(Workspace, DateOnly.Parse(start, CultureInfo.InvariantCulture), DateOnly.Parse(end, CultureInfo.InvariantCulture))));
    }

    [Test]
    public async Task ProductBoundKey_SeesOtherProducts_ButNotProductlessEvents()
    {
        var rows = await GetOkAsync(alphaKey, Alpha, "start_date=2024-03-01&end_date=2024-03-31");

        Assert.That(rows.Select(r => r.ProductId).Distinct(), Is.EquivalentTo(new[] { Alpha, Beta, Gamma }));
    }

    [Test]
    public async Task Window_BothDaysInclusive_EachEventOnItsUtcDay()
    {
        var rows = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-25&end_date=2024-03-25&search={Uri.EscapeDataString("grace")}&product_ids={Beta}");

        Assert.That(rows.Single(), Is.EqualTo(new Row(Beta, "Beta", Users[1].Id, Users[1].Email, "2024-03-25", 1)));
    }

    [Test]
    public async Task Rows_CarryTheLatestNames_AndTheSeedsFieldNames()
    {
        using var client = ApiClients.WithHeader(factory, "X-API-Key", alphaKey);
        using var response = await client.GetAsync($"/api/v1/products/{Alpha}/usage/prompts?start_date=2024-02-01&end_date=2024-02-01");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var row = body.RootElement.EnumerateArray().Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "product_id", "product_name", "user_id", "user_email", "date", "prompt_count" }));
            Assert.That(row.GetProperty("product_name").GetString(), Is.EqualTo("Alpha"));
            Assert.That(row.GetProperty("user_email").GetString(), Is.EqualTo("ada@example.com"));
            Assert.That(row.GetProperty("product_id").GetString(), Is.EqualTo("3c90c3cc-0d44-4b50-8888-8dd25736052a"));
            Assert.That(row.GetProperty("prompt_count").ValueKind, Is.EqualTo(JsonValueKind.Number));
        });
    }

    [Test]
    public async Task Answer_IsUtf8Json_AndNamesNeedingEscapesComeBackIntact()
    {
        const string workspace = "pu_escapes";
        const string name = "Quote \" back\\slash / tab\t newline\n bell\u0007 é 😀 <b>&amp;</b>";
        const string email = "\"odd\"\\mail/é@example.com";
        var product = Guid.Parse("12345678-1234-4234-8234-123456789abc");
        var key = await factory.CreateKeyAsync(workspace, [Scopes.Read], product);
        await InsertAsync(factory, [
            new TestEvent(workspace, "user\"\\1", Utc(2024, 5, 2, 12)) { ProductId = product, ProductName = name, Email = email },
            new TestEvent(workspace, "user\"\\1", Utc(2024, 5, 2, 13)) { ProductId = product, ProductName = name, Email = email },
        ]);

        using var client = ApiClients.WithHeader(factory, "X-API-Key", key);
        using var response = await client.GetAsync($"/api/v1/products/{product}/usage/prompts?start_date=2024-05-01&end_date=2024-05-31");
        var body = await response.Content.ReadAsByteArrayAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
            var row = json.RootElement.EnumerateArray().Single();
            Assert.That(row.GetProperty("product_name").GetString(), Is.EqualTo(name));
            Assert.That(row.GetProperty("user_email").GetString(), Is.EqualTo(email));
            Assert.That(row.GetProperty("user_id").GetString(), Is.EqualTo("user\"\\1"));
            Assert.That(row.GetProperty("prompt_count").GetInt64(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ProductIds_Repeatable()
    {
        var one = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-01&end_date=2024-03-31&product_ids={Gamma}");
        var two = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-01&end_date=2024-03-31&product_ids={Gamma}&product_ids={Beta.ToString().ToUpperInvariant()}");
        var unknown = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-01&end_date=2024-03-31&product_ids={Guid.NewGuid()}");
        var otherWorkspaces = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-01&end_date=2024-03-31&product_ids={OtherProduct}");

        Assert.Multiple(() =>
        {
            Assert.That(one, Is.EqualTo(Expected(Workspace, new(2024, 3, 1), new(2024, 3, 31), products: [Gamma])));
            Assert.That(two, Is.EqualTo(Expected(Workspace, new(2024, 3, 1), new(2024, 3, 31), products: [Gamma, Beta])));
            Assert.That(unknown, Is.Empty);
            Assert.That(otherWorkspaces, Is.Empty);
        });
    }

    [TestCase("ADA@EXAMPLE")]
    [TestCase("hopper")]
    [TestCase("alan turing")]
    [TestCase("Grace Hop")]
    [TestCase("example.com")]
    [TestCase("zoë ünal")]
    [TestCase("ZOË")]
    [TestCase("o'brien")]
    [TestCase("%_@")]
    [TestCase("%")]
    [TestCase("_")]
    [TestCase("' OR '1'='1")]
    [TestCase("'); DROP TABLE events; --")]
    [TestCase("{search:String}")]
    [TestCase("\\")]
    [TestCase("byron")]
    [TestCase("")]
    public async Task Search_MatchesEmailOrFullName_CaseInsensitive_Literally(string search)
    {
        var rows = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-01&end_date=2024-03-31&search={Uri.EscapeDataString(search)}");

        Assert.That(rows, Is.EqualTo(Expected(Workspace, new(2024, 3, 1), new(2024, 3, 31), search: search)));
    }

    [TestCase("APP")]
    [TestCase("SLACK")]
    [TestCase("API_KEY")]
    public async Task Origin_RestrictsToOneChannel(string origin)
    {
        var rows = await GetOkAsync(alphaKey, Alpha, $"start_date=2024-03-01&end_date=2024-03-31&origin={origin}");

        Assert.That(rows, Is.EqualTo(Expected(Workspace, new(2024, 3, 1), new(2024, 3, 31), origin: origin)));
    }

    [Test]
    public async Task Filters_Combine()
    {
        var rows = await GetOkAsync(workspaceKey, Beta, $"start_date=2024-03-03&end_date=2024-03-17&product_ids={Alpha}&product_ids={Beta}&search=a&origin=SLACK");

        Assert.That(rows, Is.EqualTo(Expected(Workspace, new(2024, 3, 3), new(2024, 3, 17), products: [Alpha, Beta], search: "a", origin: "SLACK")));
        Assert.That(rows, Is.Not.Empty);
    }

    [Test]
    public async Task EachWorkspace_SeesOnlyItsOwnUsage()
    {
        var rows = await GetOkAsync(otherKey, OtherProduct, "start_date=2024-03-01&end_date=2024-03-31");
        var bootstrap = await GetOkAsync(AnalyticsFactory.AdminToken, OtherProduct, "start_date=2024-03-01&end_date=2024-03-31", Other);

        Assert.Multiple(() =>
        {
            Assert.That(rows, Is.EqualTo(Expected(Other, new(2024, 3, 1), new(2024, 3, 31))));
            Assert.That(rows.Select(r => r.ProductName).Distinct(), Is.EqualTo(new[] { "Elsewhere" }));
            Assert.That(bootstrap, Is.EqualTo(rows));
        });
    }

    [Test]
    public async Task ForgottenHistories_LeaveTheCounts()
    {
        const string workspace = "pu_forget";
        var product = Guid.NewGuid();
        var key = await factory.CreateKeyAsync(workspace, [Scopes.Read], product);
        await InsertAsync(factory,
        [
            new TestEvent(workspace, "u1", Utc(2024, 5, 1, 10)) { ProductId = product, ProductName = "P", Email = "u1@x", HistoryId = "keep" },
            new TestEvent(workspace, "u1", Utc(2024, 5, 1, 11)) { ProductId = product, ProductName = "P", Email = "u1@x", HistoryId = "gone" },
            new TestEvent(workspace, "u2", Utc(2024, 5, 1, 11)) { ProductId = product, ProductName = "P", Email = "u2@x", HistoryId = "gone" },
        ]);
        await factory.ForgetAsync(workspace, "gone");

        var rows = await GetOkAsync(key, product, "start_date=2024-05-01&end_date=2024-05-01");

        Assert.That(rows, Is.EqualTo(new[] { new Row(product, "P", "u1", "u1@x", "2024-05-01", 1) }));
    }

    [Test]
    public async Task TrackingOff_Answers403_WithAClearMessage()
    {
        const string workspace = "pu_untracked";
        var product = Guid.NewGuid();
        var key = await factory.CreateKeyAsync(workspace, [Scopes.Read], product);
        var control = factory.Services.GetRequiredService<ControlStore>();
        await control.SetPromptUsageTrackingAsync(workspace, false, CancellationToken.None);

        using var client = ApiClients.WithHeader(factory, "X-API-Key", key);
        using var off = await client.GetAsync($"/api/v1/products/{product}/usage/prompts?start_date=2024-05-01&end_date=2024-05-01");
        var offText = await off.Content.ReadAsStringAsync();
        await control.SetPromptUsageTrackingAsync(workspace, true, CancellationToken.None);
        using var on = await client.GetAsync($"/api/v1/products/{product}/usage/prompts?start_date=2024-05-01&end_date=2024-05-01");

        Assert.Multiple(() =>
        {
            Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(JsonDocument.Parse(offText).RootElement.GetProperty("detail").GetString(), Does.Contain("tracking"));
            Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [TestCase(null, HttpStatusCode.Unauthorized)]
    [TestCase("ak_not-a-real-key", HttpStatusCode.Unauthorized)]
    [TestCase("other-product", HttpStatusCode.Forbidden)]
    [TestCase("no-read-scope", HttpStatusCode.Forbidden)]
    [TestCase("other-workspace", HttpStatusCode.Forbidden)]
    public async Task Credentials_AreChecked(string? credential, HttpStatusCode status)
    {
        var (token, product) = credential switch
        {
            "other-product" => (alphaKey, Beta),
            "no-read-scope" => (alphaIngestKey, Alpha),
            "other-workspace" => (otherKey, Alpha),
            _ => (credential, Alpha),
        };
        using var client = ApiClients.WithHeader(factory, "X-API-Key", token);
        using var response = await client.GetAsync($"/api/v1/products/{product}/usage/prompts?start_date=2024-03-01&end_date=2024-03-02");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("detail").ValueKind, Is.EqualTo(JsonValueKind.String));
        });
    }

    [TestCase("not-a-uuid", "start_date=2024-03-01&end_date=2024-03-02", "path,product_id", "uuid_parsing")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "end_date=2024-03-02", "query,start_date", "missing")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-03-01", "query,end_date", "missing")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-3-1&end_date=2024-03-02", "query,start_date", "date_from_datetime_parsing")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-03-01&end_date=2024-02-30", "query,end_date", "date_from_datetime_parsing")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-03-02&end_date=2024-03-01", "query,end_date", "value_error")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-03-01&end_date=2024-03-02&origin=app", "query,origin", "enum")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-03-01&end_date=2024-03-02&origin=", "query,origin", "enum")]
    [TestCase("3c90c3cc-0d44-4b50-8888-8dd25736052a", "start_date=2024-03-01&end_date=2024-03-02&product_ids=3c90c3cc-0d44-4b50-8888-8dd25736052a&product_ids=nope", "query,product_ids,1", "uuid_parsing")]
    public async Task InvalidParameters_Answer422InFastApisShape(string product, string query, string loc, string type)
    {
        using var client = ApiClients.WithHeader(factory, "X-API-Key", alphaKey);
        using var response = await client.GetAsync($"/api/v1/products/{product}/usage/prompts?{query}");
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), text);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("detail").EnumerateArray().Single();
        Assert.Multiple(() =>
        {
            Assert.That(string.Join(",", error.GetProperty("loc").EnumerateArray().Select(l => l.ToString())), Is.EqualTo(loc));
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo(type));
            Assert.That(error.GetProperty("msg").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task InvalidParameters_AreAllReportedAtOnce()
    {
        using var client = ApiClients.WithHeader(factory, "X-API-Key", alphaKey);
        using var response = await client.GetAsync("/api/v1/products/bad/usage/prompts?end_date=x&origin=EMAIL");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var locs = body.RootElement.GetProperty("detail").EnumerateArray().Select(e => string.Join(",", e.GetProperty("loc").EnumerateArray().Select(l => l.ToString())));
        Assert.That(locs, Is.EqualTo(new[] { "path,product_id", "query,start_date", "query,end_date", "query,origin" }));
    }

    [Test]
    public async Task BootstrapAdmin_WithoutWorkspaceHeader_Answers422()
    {
        using var client = ApiClients.WithHeader(factory, "X-API-Key", AnalyticsFactory.AdminToken);
        using var response = await client.GetAsync($"/api/v1/products/{Alpha}/usage/prompts?start_date=2024-03-01&end_date=2024-03-02");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
    }

    private async Task<List<Row>> GetOkAsync(string key, Guid product, string query, string? workspace = null)
    {
        using var client = ApiClients.WithHeader(factory, "X-API-Key", key);
        if (workspace is not null)
        {
            client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        }

        using var response = await client.GetAsync($"/api/v1/products/{product}/usage/prompts?{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(r => new Row(
            r.GetProperty("product_id").GetGuid(), r.GetProperty("product_name").GetString()!, r.GetProperty("user_id").GetString()!,
            r.GetProperty("user_email").GetString()!, r.GetProperty("date").GetString()!, r.GetProperty("prompt_count").GetInt64()))];
    }

    /// <summary>The answer computed from the inserted events: latest names, every filter, the documented order.</summary>
    private List<Row> Expected(string workspace, DateOnly start, DateOnly end, Guid[]? products = null, string search = "", string? origin = null)
    {
        var mine = events.Where(e => e.Workspace == workspace).ToList();
        var productNames = mine.Where(e => e.ProductId != Guid.Empty).GroupBy(e => e.ProductId)
            .ToDictionary(g => g.Key, g => g.MaxBy(e => e.Timestamp)!.ProductName);
        var latest = mine.GroupBy(e => e.UserId).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Timestamp)!);
        bool Matches(string user) =>
            latest[user].Email.Contains(search, StringComparison.OrdinalIgnoreCase)
            || $"{latest[user].FirstName} {latest[user].LastName}".Trim().Contains(search, StringComparison.OrdinalIgnoreCase);

        return [.. mine
            .Where(e => e.ProductId != Guid.Empty && e.Day >= start && e.Day <= end)
            .Where(e => products is null || products.Contains(e.ProductId))
            .Where(e => origin is null || e.Origin == origin)
            .Where(e => Matches(e.UserId))
            .GroupBy(e => (e.Day, e.ProductId, e.UserId))
            .Select(g => new Row(g.Key.ProductId, productNames[g.Key.ProductId], g.Key.UserId, latest[g.Key.UserId].Email,
                g.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), g.Count()))
            .OrderBy(r => r.Date, StringComparer.Ordinal).ThenBy(r => r.ProductName, StringComparer.Ordinal)
            .ThenBy(r => r.UserEmail, StringComparer.Ordinal).ThenBy(r => r.ProductId.ToString(), StringComparer.Ordinal).ThenBy(r => r.UserId, StringComparer.Ordinal)];
    }

    private sealed record Row(Guid ProductId, string ProductName, string UserId, string UserEmail, string Date, long PromptCount);
}
