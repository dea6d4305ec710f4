using System.Text;

namespace Analytics.Api.Tests.Control;

/// <summary>
/// PUT /v1/users/{id}/cap as the user-stats extract (C) reads it back: the latest write wins at once, merged or
/// not, and a cap reads back as it was echoed.
/// </summary>
public sealed class CapTests() : DatabaseTests(nameof(CapTests))
{
    private const string Workspace = "ws-caps";
    private HttpClient admin = null!;

    [OneTimeSetUp]
    public async Task Arrange()
    {
        admin = Factory.CreateClient(AnalyticsFactory.AdminToken);
        admin.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        using var ingest = Factory.CreateClient(await Factory.CreateKeyAsync(Workspace, ["ingest"]));
        var response = await ingest.PostAsync("/v1/events", Events.Ndjson(
            Events.Line("cap-1", "2026-02-02T10:00:00Z", "u1", credits: 1m),
            Events.Line("cap-2", "2026-02-02T10:00:00Z", "u2", credits: 1m),
            Events.Line("cap-3", "2026-02-02T10:00:00Z", "u3", credits: 1m)));
        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(3));
    }

    [OneTimeTearDown]
    public void Dispose() => admin.Dispose();

    [Test]
    public async Task ClearingACap_TakesEffectAtOnce_BeforeAnyMerge()
    {
        // Every write stays in a part of its own until the test merges them.
        await Connection.ExecuteAsync("SYSTEM STOP MERGES user_caps");
        try
        {
            Assert.That((await PutCapAsync("u2", "0.5")).GetProperty("cap_limit").GetDecimal(), Is.EqualTo(0.5m));
            var cleared = await PutCapAsync("u2", "null");
            Assert.That(cleared.GetProperty("cap_limit").ValueKind, Is.EqualTo(JsonValueKind.Null));

            await AssertUncappedAsync();
        }
        finally
        {
            await Connection.ExecuteAsync("SYSTEM START MERGES user_caps");
        }

        await Connection.ExecuteAsync("OPTIMIZE TABLE user_caps FINAL");
        await AssertUncappedAsync();

        async Task AssertUncappedAsync()
        {
            var extract = await ExtractAsync();
            var row = extract.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("user").GetString() == "u2");
            Assert.Multiple(() =>
            {
                Assert.That(row.GetProperty("capLimit").ValueKind, Is.EqualTo(JsonValueKind.Null));
                Assert.That(row.GetProperty("capUsedPct").ValueKind, Is.EqualTo(JsonValueKind.Null));
                Assert.That(row.GetProperty("atCap").GetBoolean(), Is.False);
                // The other tests' users may be at their caps; u2 is not among them.
                Assert.That(extract.GetProperty("summary").GetProperty("usersAtCap").GetInt32(),
                    Is.EqualTo(extract.GetProperty("data").EnumerateArray().Count(r => r.GetProperty("atCap").GetBoolean())));
            });
        }
    }

    [Test]
    public async Task ACapSetAgain_AfterClearing_IsTheNewOne()
    {
        await Connection.ExecuteAsync("SYSTEM STOP MERGES user_caps");
        try
        {
            await PutCapAsync("u3", "4");
            await PutCapAsync("u3", "null");
            await PutCapAsync("u3", "0.25");
        }
        finally
        {
            await Connection.ExecuteAsync("SYSTEM START MERGES user_caps");
        }

        var row = (await ExtractAsync()).GetProperty("data").EnumerateArray().Single(r => r.GetProperty("user").GetString() == "u3");
        Assert.That((row.GetProperty("capLimit").GetDecimal(), row.GetProperty("atCap").GetBoolean()), Is.EqualTo((0.25m, true)));
    }

    [TestCase("1.0000004")]
    [TestCase("0.0000001")]
    [TestCase("1e-7")]
    public async Task ACapWithMoreDecimalsThanAreStored_Is400_SayingHowManyAreAllowed(string cap)
    {
        using var response = await admin.PutAsync("/v1/users/u1/cap", new StringContent($"{{\"cap_limit\":{cap}}}", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Does.Contain("at most 6"));
    }

    [TestCase("1.000001", "1.000001")]
    [TestCase("999999999999.999999", "999999999999.999999")]
    [TestCase("2.500000000", "2.5")]
    [TestCase("3E0", "3")]
    public async Task ACap_ReadsBackAsItWasEchoed(string cap, string expected)
    {
        var echo = await PutCapAsync("u1", cap);

        var row = (await ExtractAsync()).GetProperty("data").EnumerateArray().Single(r => r.GetProperty("user").GetString() == "u1");
        Assert.Multiple(() =>
        {
            Assert.That(echo.GetProperty("cap_limit").GetRawText(), Is.EqualTo(row.GetProperty("capLimit").GetRawText()));
            Assert.That(row.GetProperty("capLimit").GetRawText(), Is.EqualTo(expected));
        });
    }

    private async Task<JsonElement> PutCapAsync(string user, string cap)
    {
        using var response = await admin.PutAsync($"/v1/users/{user}/cap", new StringContent($"{{\"cap_limit\":{cap}}}", Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    private async Task<JsonElement> ExtractAsync()
    {
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("x-access-token", AnalyticsFactory.AdminToken);
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        using var response = await client.PostAsync("/api/admin/histories/charts/user-stats",
            new StringContent("""{"daterange":{"start":"2026-02-01T00:00:00Z","end":"2026-03-01T00:00:00Z"}}""", Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }
}
