using System.Net.Http.Headers;
using Analytics.Api.Auth;

namespace Analytics.Api.Tests.Auth;

public sealed class CredentialTests
{
    private AnalyticsFactory factory = null!;

    [OneTimeSetUp]
    public async Task Start() => factory = await AnalyticsFactory.StartFreshAsync(nameof(CredentialTests));

    [OneTimeTearDown]
    public async Task Stop() => await factory.DisposeAsync();

    [Test]
    public async Task AKey_IsAcceptedFromEveryPlaceTheContractNames()
    {
        var key = await factory.CreateKeyAsync("ws-cred", ["ingest"]);
        var places = new Action<HttpRequestMessage>[]
        {
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key),
            r => r.Headers.Add("X-API-Key", key),
            r => r.Headers.Add("x-access-token", key),
            r => r.Headers.Add("Cookie", $"alephant_token={key}"),
        };

        using var client = factory.CreateClient();
        for (var i = 0; i < places.Length; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Events.Ndjson(Events.Line($"place-{i}")) };
            places[i](request);
            var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"credential place {i}");
        }
    }

    [Test]
    public async Task Jwts_AreVerified()
    {
        using var client = factory.CreateClient();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = TestTokens.Hs256(AnalyticsFactory.JwtKey, new { workspace_id = "ws-jwt", scopes = new[] { "ingest" }, exp = now + 600 });

        // Beyond the 30 s clock skew a token is tolerated by.
        var expired = TestTokens.Hs256(AnalyticsFactory.JwtKey, new { workspace_id = "ws-jwt", scopes = new[] { "ingest" }, exp = now - 120 });
        var forged = TestTokens.Hs256("another-key-entirely-of-some-length", new { workspace_id = "ws-jwt", scopes = new[] { "ingest" } });
        var readOnly = TestTokens.Hs256(AnalyticsFactory.JwtKey, new { workspace_id = "ws-jwt", scope = "read" });

        Assert.Multiple(async () =>
        {
            Assert.That((await Post(client, valid, "jwt-1")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Post(client, expired, "jwt-2")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await Post(client, forged, "jwt-3")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await Post(client, readOnly, "jwt-4")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task KeysAreStoredOnlyAsHashes_AndRevocationIsImmediate()
    {
        var secret = await factory.CreateKeyAsync("ws-cred", ["ingest"]);
        await using var connection = await factory.OpenConnectionAsync();
        var stored = (await connection.QueryAsync<string>("SELECT concat(id, key_hash, name) FROM api_keys")).ToList();
        Assert.That(stored, Has.None.Contains(secret));

        using var client = factory.CreateClient(secret);
        Assert.That((await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("rev-1")))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var id = await connection.ExecuteScalarAsync<string>("SELECT id FROM api_keys FINAL WHERE key_hash = {h:String}", new DynamicParameters(new { h = KeySecrets.Hash(secret) }) { RemoveUnused = false });
        using var admin = factory.CreateClient(AnalyticsFactory.AdminToken);
        Assert.That((await admin.DeleteAsync($"/v1/admin/keys/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        Assert.That((await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("rev-2")))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await admin.DeleteAsync("/v1/admin/keys/key_missing")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task WorkspaceAdmins_ManageOnlyTheirOwnWorkspace()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync("ws-a", ["admin"]));

        var own = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = "ws-a", scopes = new[] { "read" } });
        var foreign = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = "ws-b", scopes = new[] { "read" } });
        var foreignSettings = await admin.PutAsJsonAsync("/v1/admin/workspaces/ws-b/settings", new { prompt_usage_tracking = false });
        var badScope = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = "ws-a", scopes = new[] { "root" } });
        var badProduct = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = "ws-a", scopes = new[] { "read" }, product_id = "x" });
        var otherKey = await factory.CreateKeyAsync("ws-b", ["read"]);
        await using var connection = await factory.OpenConnectionAsync();
        var otherId = await connection.ExecuteScalarAsync<string>("SELECT id FROM api_keys FINAL WHERE key_hash = {h:String}", new DynamicParameters(new { h = KeySecrets.Hash(otherKey) }) { RemoveUnused = false });
        var foreignRevoke = await admin.DeleteAsync($"/v1/admin/keys/{otherId}");

        Assert.Multiple(async () =>
        {
            Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That((await own.JsonAsync()).GetProperty("key").GetString(), Does.StartWith("ak_"));
            Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(foreignSettings.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(badScope.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badProduct.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(foreignRevoke.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
        using var stillWorks = factory.CreateClient(otherKey);
        Assert.That((await stillWorks.PostAsync("/v1/events", Events.Ndjson(Events.Line("x")))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the key lives on (read scope only)");
    }

    [Test]
    public async Task SettingsAndCaps_AreStored()
    {
        using var admin = factory.CreateClient(AnalyticsFactory.AdminToken);
        admin.DefaultRequestHeaders.Add("X-Workspace-Id", "ws-settings");

        var settings = await admin.PutAsJsonAsync("/v1/admin/workspaces/ws-settings/settings", new { prompt_usage_tracking = false });
        var cap = await admin.PutAsJsonAsync("/v1/users/u-7/cap", new { cap_limit = 12.5m });
        var cleared = await admin.PutAsJsonAsync("/v1/users/u-8/cap", new { cap_limit = (decimal?)null });
        var missing = await admin.PutAsJsonAsync("/v1/users/u-9/cap", new { other = 1 });
        var negative = await admin.PutAsJsonAsync("/v1/users/u-9/cap", new { cap_limit = -1 });

        Assert.Multiple(() =>
        {
            Assert.That(settings.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cap.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cleared.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(negative.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
        await using var connection = await factory.OpenConnectionAsync();
        var caps = (await connection.QueryAsync<(string User, decimal? Cap)>(
            "SELECT user_id, argMax(cap_limit, version) FROM user_caps WHERE workspace_id = 'ws-settings' GROUP BY user_id ORDER BY user_id")).ToList();
        Assert.That(caps, Is.EqualTo(new[] { ("u-7", (decimal?)12.5m), ("u-8", null) }));
        var tracking = await factory.Services.GetRequiredService<Analytics.Api.Control.ControlStore>().PromptUsageTrackingAsync("ws-settings", CancellationToken.None);
        Assert.That(tracking, Is.False);
    }

    [Test]
    public async Task AdminEndpoints_RefuseThroughThePolicies_WithTheirErrorBody()
    {
        using var anonymous = factory.CreateClient();
        using var ingestOnly = factory.CreateClient(await factory.CreateKeyAsync("ws-policy", ["ingest"]));
        using var forged = factory.CreateClient(TestTokens.Hs256("another-key-entirely-of-some-length", new { workspace_id = "ws-policy", scope = "admin" }));

        var unauthenticated = await anonymous.DeleteAsync("/v1/admin/keys/key_any");
        var invalid = await forged.GetAsync("/v1/admin/workspaces");
        var notAdmin = await ingestOnly.PutAsJsonAsync("/v1/users/u-1/cap", new { cap_limit = 1 });
        var whoAmI = await anonymous.GetAsync("/v1/auth/whoami");

        Assert.Multiple(async () =>
        {
            Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await unauthenticated.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("missing or invalid credential"));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(notAdmin.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await notAdmin.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("the credential is not an admin"));
            Assert.That(whoAmI.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await whoAmI.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("missing or invalid credential"));
        });
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string token, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Events.Ndjson(Events.Line(id)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
