using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    [Test]
    public async Task SignIn_WithAReadKey_FillsTheTemplatesView_AndKeepsTheKeyOutOfUrlsAndCookies()
    {
        var page = await OpenAsync();
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);

        await page.GetByLabel("API key").FillAsync(readKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ReadyAsync(page, "templates");

        var stored = await page.EvaluateAsync<string>("() => sessionStorage.getItem('analytics.key')");
        var local = await page.EvaluateAsync<int>("() => localStorage.length");
        Assert.Multiple(async () =>
        {
            Assert.That(await page.Locator("#workspace-name").InnerTextAsync(), Is.EqualTo(Workspace));
            Assert.That(stored, Is.EqualTo(readKey));
            Assert.That(local, Is.Zero);
            Assert.That(await page.Context.CookiesAsync(), Is.Empty);
            Assert.That(requested, Is.Not.Empty);
            Assert.That(requested.Where(u => u.Contains(readKey, StringComparison.Ordinal)), Is.Empty);
            Assert.That(page.Url, Does.Not.Contain(readKey));
        });

        // A reload of the tab stays signed in; signing out forgets the key.
        await page.ReloadAsync();
        await ReadyAsync(page, "templates");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assert.ThatAsync(() => page.GetByLabel("API key").IsVisibleAsync(), Is.True);
        Assert.That(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('analytics.key')"), Is.Null);
        await CloseAsync(page);
    }

    [Test]
    public async Task SignIn_WithAWrongKey_SaysSo_AndStaysOnTheForm()
    {
        var page = await OpenAsync();

        await page.GetByLabel("API key").FillAsync("ak_not_a_real_key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await Assert.ThatAsync(() => alert.InnerTextAsync(), Does.Contain("not accepted"));
        Assert.That(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('analytics.key')"), Is.Null);
        await CloseAsync(page);
    }

    [Test]
    public async Task SignIn_WithAnExpiredJwt_IsRefused()
    {
        var claims = JsonSerializer.Serialize(new { workspace_id = Workspace, scopes = new[] { "read" }, exp = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds() });
        var expired = new JsonWebTokenHandler().CreateToken(claims, new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(DashboardHost.JwtKey)), SecurityAlgorithms.HmacSha256));
        var page = await OpenAsync();

        await page.GetByLabel("API key").FillAsync(expired);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assert.ThatAsync(() => page.GetByRole(AriaRole.Alert).InnerTextAsync(), Does.Contain("wrong, revoked or expired"));
        await CloseAsync(page);
    }

    [Test]
    public async Task AKeyRevokedWhileSignedIn_SendsTheUserBackToSignIn_WithTheReason()
    {
        var (id, key) = await host.CreateKeyAsync(Workspace, "read");
        var page = await SignInAsync(key);

        using (var admin = host.Client(DashboardHost.AdminToken))
        {
            (await admin.DeleteAsync($"/v1/admin/keys/{id}")).EnsureSuccessStatusCode();
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();

        await Assert.ThatAsync(() => page.GetByRole(AriaRole.Alert).InnerTextAsync(), Does.Contain("no longer accepted"));
        await Assert.ThatAsync(() => page.GetByLabel("API key").IsVisibleAsync(), Is.True);
        Assert.That(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('analytics.key')"), Is.Null);
        await CloseAsync(page);
    }

    [Test]
    public async Task BootstrapToken_PicksAWorkspace_ThenShowsIt()
    {
        var page = await OpenAsync();
        await page.GetByLabel("API key").FillAsync(DashboardHost.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var picker = page.GetByLabel("Workspace", new() { Exact = true });
        await picker.WaitForAsync();
        var offered = await picker.Locator("option").AllInnerTextsAsync();
        await picker.SelectOptionAsync(Workspace);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await ReadyAsync(page, "templates");

        Assert.Multiple(async () =>
        {
            Assert.That(offered, Is.SupersetOf(new[] { Workspace, EmptyWorkspace, BigWorkspace, LoadWorkspace }));
            Assert.That(await page.Locator("#workspace-name").InnerTextAsync(), Is.EqualTo(Workspace));
            Assert.That(await page.Locator("#templates-table tbody tr").CountAsync(), Is.GreaterThan(0));
        });

        await page.GetByRole(AriaRole.Button, new() { Name = "Change workspace" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Choose a workspace" }).WaitForAsync();
        Assert.That(await page.GetByLabel("Workspace", new() { Exact = true }).IsVisibleAsync(), Is.True);
        await CloseAsync(page);
    }

    [Test]
    public async Task Keyboard_AloneSignsInAndSwitchesViews()
    {
        var page = await OpenAsync();

        // The key field has the focus on arrival; Enter submits; a focused link opens with Enter.
        await page.Keyboard.TypeAsync(readKey);
        await page.Keyboard.PressAsync("Enter");
        await ReadyAsync(page, "templates");
        await page.GetByRole(AriaRole.Link, new() { Name = "Ingestion" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await ReadyAsync(page, "ingestion");

        var focusVisible = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.That(focusVisible, Is.Not.EqualTo("none"));
        await CloseAsync(page);
    }
}
