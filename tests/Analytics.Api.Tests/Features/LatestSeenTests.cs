using System.Text;

namespace Analytics.Api.Tests.Features;

/// <summary>
/// Names and emails as B (prompt usage) and C (user stats) show them: the latest value actually sent, field by
/// field, merged or not; forgetting removes what only the forgotten histories sent; B sorts names as people do.
/// </summary>
public sealed class LatestSeenTests() : DatabaseTests(nameof(LatestSeenTests))
{
    private const string Workspace = "ws-latest";
    private static readonly Guid Product = Guid.Parse("6f1c2a6e-7d0b-4a59-9c1e-2b7d3c4e5f60");
    private static readonly Guid Forgotten = Guid.Parse("6f1c2a6e-7d0b-4a59-9c1e-2b7d3c4e5f61");

    private HttpClient ingest = null!;
    private HttpClient reader = null!;

    [OneTimeSetUp]
    public async Task Keys()
    {
        ingest = Factory.CreateClient(await Factory.CreateKeyAsync(Workspace, ["ingest"]));
        reader = Factory.CreateClient();
        reader.DefaultRequestHeaders.Add("X-API-Key", await Factory.CreateKeyAsync(Workspace, ["read"]));
    }

    [OneTimeTearDown]
    public void Dispose()
    {
        ingest.Dispose();
        reader.Dispose();
    }

    [Test]
    public async Task LaterEventsWithoutNamesOrEmail_KeepTheLatestSent_InBAndC()
    {
        const string full = "\"user_email\":\"ada@acme.io\",\"user_fname\":\"Ada\",\"user_lname\":\"Lovelace\",\"product_name\":\"Copilot\"," +
                            "\"instance_name\":\"acme-prod\",\"ai_name\":\"Pria\"";
        const string blank = "\"user_email\":\"\",\"user_fname\":\"\",\"user_lname\":\"\",\"product_name\":\"\",\"instance_name\":\"\",\"ai_name\":\"\"";
        await Connection.ExecuteAsync("SYSTEM STOP MERGES user_profiles_sent");
        await Connection.ExecuteAsync("SYSTEM STOP MERGES product_names_sent");
        try
        {
            // One request each, so that each lands in a part of its own; the last one holds both kinds in one block.
            await SendAsync(Line("ls-1", "2026-05-01T10:00:00Z", "ls-ada", full));
            await SendAsync(Line("ls-2", "2026-05-02T10:00:00Z", "ls-ada", null));
            await SendAsync(Line("ls-3", "2026-05-03T10:00:00Z", "ls-ada", blank));
            await SendAsync(Line("ls-4", "2026-05-01T09:00:00Z", "ls-ada", full.Replace("ada@acme.io", "ada@older.io")), Line("ls-5", "2026-05-04T10:00:00Z", "ls-ada", null));

            await AssertProfileAsync();
        }
        finally
        {
            await Connection.ExecuteAsync("SYSTEM START MERGES user_profiles_sent");
            await Connection.ExecuteAsync("SYSTEM START MERGES product_names_sent");
        }

        await Connection.ExecuteAsync("OPTIMIZE TABLE user_profiles_sent FINAL");
        await Connection.ExecuteAsync("OPTIMIZE TABLE product_names_sent FINAL");
        await AssertProfileAsync();

        async Task AssertProfileAsync()
        {
            var usage = await UsageAsync("ls-ada");
            var found = await UsageAsync("ls-ada", "ada lovelace");
            var extract = await ExtractRowsAsync("ls-ada");
            Assert.Multiple(() =>
            {
                Assert.That(usage.Select(r => r.GetProperty("date").GetString()), Is.EqualTo(new[] { "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04" }));
                Assert.That(usage.Select(r => (r.GetProperty("user_email").GetString(), r.GetProperty("product_name").GetString())), Is.All.EqualTo(("ada@acme.io", "Copilot")));
                Assert.That(found, Has.Count.EqualTo(4), "a search by the full name");
                Assert.That(extract, Has.Count.EqualTo(4));
                Assert.That(
                    extract.Select(r => string.Join('|', r.GetProperty("email"), r.GetProperty("fname"), r.GetProperty("lname"), r.GetProperty("instanceName"), r.GetProperty("aiName"))),
                    Is.All.EqualTo("ada@acme.io|Ada|Lovelace|acme-prod|Pria"));
            });
        }
    }

    [Test]
    public async Task ALaterValueSent_ReplacesTheKnownOne_FieldByField()
    {
        await SendAsync(Line("lv-1", "2026-05-01T10:00:00Z", "ls-grace", "\"user_email\":\"grace@navy.mil\",\"user_fname\":\"Grace\",\"product_name\":\"Copilot\""));
        await SendAsync(Line("lv-2", "2026-05-02T10:00:00Z", "ls-grace", "\"user_lname\":\"Hopper\""));
        await SendAsync(Line("lv-3", "2026-05-03T10:00:00Z", "ls-grace", "\"user_email\":\"grace@cobol.org\""));

        var extract = await ExtractRowsAsync("ls-grace");
        var usage = await UsageAsync("ls-grace", "grace hopper");

        Assert.Multiple(() =>
        {
            Assert.That(extract.Select(r => string.Join('|', r.GetProperty("email"), r.GetProperty("fname"), r.GetProperty("lname"))), Is.All.EqualTo("grace@cobol.org|Grace|Hopper"));
            Assert.That(usage.Select(r => r.GetProperty("user_email").GetString()), Is.EqualTo(new[] { "grace@cobol.org", "grace@cobol.org", "grace@cobol.org" }));
        });
    }

    [Test]
    public async Task ValuesSentInTheSameMillisecond_TheGreaterWins_MergedOrNot()
    {
        // A later millisecond wins over a greater value; in one millisecond the greater value wins, whichever part it sits in.
        await Connection.ExecuteAsync("SYSTEM STOP MERGES user_profiles_sent");
        try
        {
            await SendAsync(Line("lt-1", "2026-05-01T10:00:00.998Z", "ls-kurt", "\"user_email\":\"zz@older.at\""));
            await SendAsync(Line("lt-2", "2026-05-01T10:00:00.999Z", "ls-kurt", "\"user_email\":\"kurt@b.at\""));
            await SendAsync(Line("lt-3", "2026-05-01T10:00:00.999Z", "ls-kurt", "\"user_email\":\"kurt@a.at\""));
            Assert.That((await UsageAsync("ls-kurt")).Select(r => r.GetProperty("user_email").GetString()), Is.EqualTo(new[] { "kurt@b.at" }), "unmerged");
        }
        finally
        {
            await Connection.ExecuteAsync("SYSTEM START MERGES user_profiles_sent");
        }

        await Connection.ExecuteAsync("OPTIMIZE TABLE user_profiles_sent FINAL");
        Assert.That((await ExtractRowsAsync("ls-kurt")).Select(r => r.GetProperty("email").GetString()), Is.EqualTo(new[] { "kurt@b.at" }), "merged");
    }

    [Test]
    public async Task Forgetting_RemovesWhatOnlyTheForgottenHistorySent_AndKeepsTheRest()
    {
        await SendAsync(
            Line("lf-1", "2026-05-01T10:00:00Z", "ls-alan", "\"user_email\":\"alan@bletchley.uk\",\"user_fname\":\"Alan\",\"product_name\":\"Kept\",\"history_id\":\"lf-keep\"", Forgotten));
        await SendAsync(Line("lf-2", "2026-05-02T10:00:00Z", "ls-alan", "\"user_email\":\"secret@x.org\",\"product_name\":\"Secret\",\"history_id\":\"lf-secret\"", Forgotten));
        await SendAsync(Line("lf-3", "2026-05-03T10:00:00Z", "ls-alan", "\"history_id\":\"lf-keep\"", Forgotten));
        var before = await ExtractRowsAsync("ls-alan");

        await Factory.ForgetAsync(Workspace, "lf-secret");

        var usage = await UsageAsync("ls-alan", product: Forgotten);
        var extract = await ExtractRowsAsync("ls-alan");
        Assert.Multiple(() =>
        {
            Assert.That(before.Select(r => r.GetProperty("email").GetString()), Is.All.EqualTo("secret@x.org"));
            Assert.That(usage.Select(r => (r.GetProperty("date").GetString(), r.GetProperty("user_email").GetString(), r.GetProperty("product_name").GetString())),
                Is.EqualTo(new[] { ("2026-05-01", "alan@bletchley.uk", "Kept"), ("2026-05-03", "alan@bletchley.uk", "Kept") }));
            Assert.That(extract.Select(r => string.Join('|', r.GetProperty("email"), r.GetProperty("fname"))), Is.All.EqualTo("alan@bletchley.uk|Alan"));
        });
    }

    [Test]
    public async Task TheMigration_BuildsTheProfilesOfEventsStoredBeforeIt_AndMayRunAgain()
    {
        await SendAsync(Line("lm-1", "2026-05-01T10:00:00Z", "ls-edsger", "\"user_email\":\"edsger@tue.nl\",\"user_fname\":\"Edsger\",\"product_name\":\"Copilot\""));
        await SendAsync(Line("lm-2", "2026-05-02T10:00:00Z", "ls-edsger", "\"user_email\":\"gone@x.org\",\"history_id\":\"lm-gone\""));
        await SendAsync(Line("lm-3", "2026-05-03T10:00:00Z", "ls-edsger", null));
        await Factory.ForgetAsync(Workspace, "lm-gone");

        // As on a database whose events were stored before the migration: no profiles of the new kind yet.
        await Connection.ExecuteAsync("TRUNCATE TABLE user_profiles_sent");
        await Connection.ExecuteAsync("TRUNCATE TABLE product_names_sent");
        var before = await ExtractRowsAsync("ls-edsger");
        await RerunMigrationAsync("014_profiles_latest_sent_as_text");
        var once = await ExtractRowsAsync("ls-edsger");
        await RerunMigrationAsync("014_profiles_latest_sent_as_text");
        var twice = await ExtractRowsAsync("ls-edsger");
        var usage = await UsageAsync("ls-edsger");

        Assert.Multiple(() =>
        {
            Assert.That(before.Select(r => r.GetProperty("email").GetString()), Is.All.Empty);
            Assert.That(once.Select(r => $"{r.GetProperty("email")}|{r.GetProperty("fname")}"), Is.EqualTo(new[] { "edsger@tue.nl|Edsger", "edsger@tue.nl|Edsger" }));
            Assert.That(twice.Select(r => r.GetRawText()), Is.EqualTo(once.Select(r => r.GetRawText())));
            Assert.That(usage.Select(r => (r.GetProperty("user_email").GetString(), r.GetProperty("product_name").GetString())), Is.All.EqualTo(("edsger@tue.nl", "Copilot")));
        });
    }

    [Test]
    public async Task PromptUsage_OrdersByProductNameAndEmail_CaseInsensitively()
    {
        var zeta = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
        var alpha = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
        string Sorted(string id, string user, Guid product, string productName, string email) =>
            Events.Line(id, "2026-06-01T10:00:00Z", user, extra: $"\"product_id\":\"{product}\",\"product_name\":\"{productName}\",\"user_email\":\"{email}\"");
        await SendAsync(
            Sorted("so-1", "so-bob", zeta, "Zeta", "Bob@x.org"),
            Sorted("so-2", "so-alice", zeta, "Zeta", "alice@x.org"),
            Sorted("so-3", "so-bob", alpha, "alpha", "Bob@x.org"),
            Sorted("so-4", "so-carol", alpha, "alpha", "carol@x.org"),
            Sorted("so-5", "so-alice", alpha, "alpha", "alice@x.org"));

        using var response = await reader.GetAsync($"/api/v1/products/{zeta}/usage/prompts?start_date=2026-06-01&end_date=2026-06-01");
        var rows = (await response.JsonAsync()).EnumerateArray().ToList();

        Assert.That(rows.Select(r => $"{r.GetProperty("product_name").GetString()} {r.GetProperty("user_email").GetString()}"), Is.EqualTo(new[]
        {
            "alpha alice@x.org", "alpha Bob@x.org", "alpha carol@x.org", "Zeta alice@x.org", "Zeta Bob@x.org",
        }));
    }

    private static string Line(string id, string at, string user, string? fields, Guid? product = null) =>
        Events.Line(id, at, user, extra: $"\"product_id\":\"{product ?? Product}\"" + (fields is null ? string.Empty : "," + fields));

    private async Task SendAsync(params string[] lines)
    {
        using var response = await ingest.PostAsync("/v1/events", Events.Ndjson(lines));
        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(lines.Length));
    }

    private async Task<List<JsonElement>> UsageAsync(string user, string? search = null, Guid? product = null)
    {
        var query = $"/api/v1/products/{product ?? Product}/usage/prompts?start_date=2026-04-01&end_date=2026-05-31" + (search is null ? string.Empty : "&search=" + Uri.EscapeDataString(search));
        using var response = await reader.GetAsync(query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return [.. (await response.JsonAsync()).EnumerateArray().Where(r => r.GetProperty("user_id").GetString() == user)];
    }

    private async Task<List<JsonElement>> ExtractRowsAsync(string user)
    {
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("x-access-token", AnalyticsFactory.AdminToken);
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        using var response = await client.PostAsync("/api/admin/histories/charts/user-stats",
            new StringContent("""{"daterange":{"start":"2026-04-01T00:00:00Z","end":"2026-06-01T00:00:00Z"}}""", Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return [.. (await response.JsonAsync()).GetProperty("data").EnumerateArray().Where(r => r.GetProperty("user").GetString() == user)];
    }
}
