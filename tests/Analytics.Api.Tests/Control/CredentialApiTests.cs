using Analytics.Api.Auth;
using Analytics.Api.Tests.Features;

namespace Analytics.Api.Tests.Control;

/// <summary>GET /v1/auth/whoami and /v1/admin/workspaces: what a client may offer a credential.</summary>
public sealed class CredentialApiTests : DatabaseTests
{
    public CredentialApiTests()
        : base("control_credentials")
    {
    }

    [Test]
    public async Task WhoAmI_TellsAKeysWorkspaceScopesAndProduct()
    {
        var product = Guid.NewGuid();
        var key = await Factory.CreateKeyAsync("who_ws", [Scopes.Read, Scopes.Ingest], product);
        using var client = Factory.CreateClient(key);

        var body = await (await client.GetAsync("/v1/auth/whoami")).JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("workspace_id").GetString(), Is.EqualTo("who_ws"));
            Assert.That(body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "ingest", "read" }));
            Assert.That(body.GetProperty("product_id").GetGuid(), Is.EqualTo(product));
            Assert.That(body.GetProperty("bootstrap_admin").GetBoolean(), Is.False);
        });
    }

    [Test]
    public async Task WhoAmI_ForTheBootstrapToken_HasEveryScopeAndNoWorkspace()
    {
        using var client = Factory.Admin();

        var body = await (await client.GetAsync("/v1/auth/whoami")).JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("workspace_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "admin", "ingest", "read" }));
            Assert.That(body.GetProperty("bootstrap_admin").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task WhoAmI_WithAWrongOrRevokedKey_Is401()
    {
        using var wrong = Factory.CreateClient("ak_not_a_key");
        using var nothing = Factory.CreateClient();

        Assert.Multiple(async () =>
        {
            Assert.That((await wrong.GetAsync("/v1/auth/whoami")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await nothing.GetAsync("/v1/auth/whoami")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Workspaces_ForTheBootstrapToken_AreThoseWithKeysOrUsage()
    {
        await Factory.CreateKeyAsync("ws_keyed", [Scopes.Read]);
        await TestEvent.InsertAsync(Factory, [new TestEvent("ws_used", "u1", DateTime.UtcNow)]);
        using var client = Factory.Admin();

        var body = await (await client.GetAsync("/v1/admin/workspaces")).JsonAsync();

        var workspaces = body.GetProperty("workspaces").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.That(workspaces, Does.Contain("ws_keyed").And.Contain("ws_used"));
        Assert.That(workspaces, Is.Ordered.Using((IComparer<string?>)StringComparer.Ordinal));
    }

    [Test]
    public async Task Workspaces_ForAnAdminKey_IsItsOwn_AndNeedsAdmin()
    {
        using var admin = Factory.CreateClient(await Factory.CreateKeyAsync("ws_own", [Scopes.Admin]));
        using var reader = Factory.CreateClient(await Factory.CreateKeyAsync("ws_own", [Scopes.Read]));

        var body = await (await admin.GetAsync("/v1/admin/workspaces")).JsonAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(body.GetProperty("workspaces").EnumerateArray().Select(w => w.GetString()), Is.EqualTo(new[] { "ws_own" }));
            Assert.That((await reader.GetAsync("/v1/admin/workspaces")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }
}
