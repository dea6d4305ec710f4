using Analytics.Api.Control;
using Analytics.Api.Hosting;

namespace Analytics.Api.Tests.Hosting;

/// <summary>The service's commands, run in-process on a fresh database, checked by what they stored and their exit codes.</summary>
public sealed class AnalyticsCliTests
{
    private AnalyticsFactory factory = null!;

    [OneTimeSetUp]
    public async Task Start() => factory = await AnalyticsFactory.StartFreshAsync(nameof(AnalyticsCliTests));

    [OneTimeTearDown]
    public async Task Stop() => await factory.DisposeAsync();

    [Test]
    public async Task KeysCreate_MakesAWorkingKey_ThatListShows_AndRevokeEnds()
    {
        var created = await Run("keys", "create", "--workspace", "ws-cli", "--scopes", "ingest,read", "--name", "gateway");
        Assert.That(created.Code, Is.EqualTo(0), created.Error);
        var id = Field(created.Output, "id:");
        var secret = Field(created.Output, "key:");
        Assert.That(secret, Does.StartWith("ak_"));

        using var client = factory.CreateClient(secret);
        Assert.That((await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("cli-1")))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var listed = await Run("keys", "list", "--workspace", "ws-cli");
        Assert.That(listed.Code, Is.EqualTo(0), listed.Error);
        Assert.That(listed.Output, Does.Contain($"{id}\tingest,read\t-\tgateway\t").And.Contain("\tlive"));
        Assert.That(listed.Output, Does.Not.Contain(secret));

        var revoked = await Run("keys", "revoke", id);
        Assert.That(revoked.Code, Is.EqualTo(0), revoked.Error);
        Assert.That((await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("cli-2")))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await Run("keys", "list", "--workspace", "ws-cli")).Output, Does.Contain("\trevoked"));

        var missing = await Run("keys", "revoke", "key_0000000000000000");
        Assert.That(missing.Code, Is.EqualTo(1));
        Assert.That(missing.Error, Does.Contain("no key key_0000000000000000"));
    }

    [Test]
    public async Task SettingsCapsAndForget_StoreWhatTheAdminApiStores()
    {
        Assert.That((await Run("settings", "--workspace", "ws-cli-control", "--prompt-usage-tracking", "false")).Code, Is.EqualTo(0));
        Assert.That((await Run("caps", "set", "-w", "ws-cli-control", "--user", "u-1", "--limit", "12.5")).Code, Is.EqualTo(0));
        Assert.That((await Run("caps", "set", "-w", "ws-cli-control", "--user", "u-2", "--limit", "3")).Code, Is.EqualTo(0));
        var cleared = await Run("caps", "set", "-w", "ws-cli-control", "--user", "u-2", "--clear");
        Assert.That(cleared.Code, Is.EqualTo(0));
        Assert.That(cleared.Output, Does.Contain("no cap for u-2"));
        var forget = await Run("forget", "--workspace", "ws-cli-control", "h-1", "h-2", "h-1");
        var again = await Run("forget", "--workspace", "ws-cli-control", "h-2");

        Assert.Multiple(() =>
        {
            Assert.That(forget.Code, Is.EqualTo(0), forget.Error);
            Assert.That(forget.Output, Does.Contain("forgotten 2, already forgotten 0"));
            Assert.That(again.Output, Does.Contain("forgotten 0, already forgotten 1"));
        });
        var tracking = await factory.Services.GetRequiredService<ControlStore>().PromptUsageTrackingAsync("ws-cli-control", CancellationToken.None);
        Assert.That(tracking, Is.False);
        await using var connection = await factory.OpenConnectionAsync();
        var caps = (await connection.QueryAsync<(string User, decimal? Cap)>(
            "SELECT user_id, argMax(tuple(cap_limit), version).1 FROM user_caps WHERE workspace_id = 'ws-cli-control' GROUP BY user_id ORDER BY user_id")).ToList();
        Assert.That(caps, Is.EqualTo(new[] { ("u-1", (decimal?)12.5m), ("u-2", null) }));
        var forgotten = (await connection.QueryAsync<string>(
            "SELECT DISTINCT history_id FROM forgotten_histories WHERE workspace_id = 'ws-cli-control' ORDER BY history_id")).ToList();
        Assert.That(forgotten, Is.EqualTo(new[] { "h-1", "h-2" }));
    }

    [TestCase("keys", "create", "--workspace", "ws-cli-usage")]
    [TestCase("keys", "create", "--workspace", "ws-cli-usage", "--scopes", "ingest,root")]
    [TestCase("keys", "create", "--workspace", "ws-cli-usage", "--scopes", "read", "--product", "not-a-uuid")]
    [TestCase("keys", "frobnicate")]
    [TestCase("keys")]
    [TestCase("settings", "--workspace", "ws-cli-usage", "--prompt-usage-tracking", "perhaps")]
    [TestCase("caps", "set", "--workspace", "ws-cli-usage", "--user", "u-1", "--limit", "1.1234567")]
    [TestCase("caps", "set", "--workspace", "ws-cli-usage", "--user", "u-1", "--limit", "-1")]
    [TestCase("caps", "set", "--workspace", "ws-cli-usage", "--user", "u-1", "--limit", "1", "--clear")]
    [TestCase("caps", "set", "--workspace", "ws-cli-usage", "--user", "u-1")]
    [TestCase("forget", "--workspace", "ws-cli-usage")]
    public async Task AUsageError_Exits2_AndStoresNothing(params string[] args)
    {
        var result = await Run(args);

        Assert.That(result.Code, Is.EqualTo(2), result.Output);
        Assert.That(result.Error, Is.Not.Empty);
        await using var connection = await factory.OpenConnectionAsync();
        var stored = await connection.ExecuteScalarAsync<ulong>(
            "SELECT (SELECT count() FROM api_keys WHERE workspace_id = 'ws-cli-usage') + (SELECT count() FROM user_caps WHERE workspace_id = 'ws-cli-usage')" +
            " + (SELECT count() FROM workspace_settings WHERE workspace_id = 'ws-cli-usage')");
        Assert.That(stored, Is.Zero);
    }

    [Test]
    public async Task Help_ListsEveryCommand()
    {
        var root = await Run("--help");
        var keys = await Run("keys", "--help");

        Assert.Multiple(() =>
        {
            Assert.That(root.Code, Is.EqualTo(0));
            Assert.That(root.Output, Does.Contain("keys").And.Contain("settings").And.Contain("forget").And.Contain("caps").And.Contain("migrate"));
            Assert.That(keys.Code, Is.EqualTo(0));
            Assert.That(keys.Output, Does.Contain("create").And.Contain("list").And.Contain("revoke"));
        });
    }

    [Test]
    public async Task Migrate_OnAnUpToDateDatabase_Succeeds()
    {
        var result = await Run("migrate");
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
    }

    [TestCase(new string[0], false)]
    [TestCase(new[] { "--Analytics:Database=other" }, false)]
    [TestCase(new[] { "--help" }, true)]
    [TestCase(new[] { "keys", "list", "-w", "x" }, true)]
    [TestCase(new[] { "migrate" }, true)]
    public void OnlyACommandOrHelp_KeepsTheServiceFromStarting(string[] args, bool command) =>
        Assert.That(AnalyticsCli.IsCommand(args), Is.EqualTo(command));

    private async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AnalyticsCli.InvokeAsync(factory.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Field(string output, string label) =>
        output.Split('\n').Single(l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim().Split(' ')[0];
}
