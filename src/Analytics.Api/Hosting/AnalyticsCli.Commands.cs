using System.CommandLine;
using System.Globalization;
using Analytics.Api.Auth;
using Analytics.Api.Control;
using Analytics.Api.Ingestion;

namespace Analytics.Api.Hosting;

public static partial class AnalyticsCli
{
    /// <summary>The CLI acts as the bootstrap admin: it may manage any workspace.</summary>
    private static readonly Credential Operator = new(null, Scopes.All, null, IsBootstrapAdmin: true);

    private static Command KeysCommand(IServiceProvider services)
    {
        var workspace = WorkspaceOption();
        var scopes = new Option<string[]>("--scopes", "-s")
        {
            Description = "comma-separated scopes: ingest, read, admin",
            Required = true,
            CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        };
        scopes.Validators.Add(result =>
        {
            var listed = result.GetValueOrDefault<string[]>() ?? [];
            if (listed.Length == 0 || listed.Any(s => !Scopes.All.Contains(s)))
            {
                result.AddError("--scopes must list one or more of ingest, read, admin");
            }
        });
        var product = new Option<Guid?>("--product") { Description = "bind the key to one product (UUID)" };
        var name = new Option<string?>("--name") { Description = "a name to tell the key by" };
        var create = new Command("create", "Create an API key; its secret is printed only now.") { workspace, scopes, product, name };
        create.SetAction(async (parsed, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            var (key, secret) = await services.GetRequiredService<ApiKeyStore>().CreateAsync(
                parsed.GetRequiredValue(workspace), parsed.GetRequiredValue(scopes), parsed.GetValue(product), parsed.GetValue(name), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            await output.WriteLineAsync($"id:  {key.Id}");
            await output.WriteLineAsync($"key: {secret}   (shown only now)");
            return Ok;
        });

        var listWorkspace = WorkspaceOption();
        var list = new Command("list", "List a workspace's keys, revoked ones included (never their secrets).") { listWorkspace };
        list.SetAction(async (parsed, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            var keys = await services.GetRequiredService<ApiKeyStore>().ListAsync(parsed.GetRequiredValue(listWorkspace), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            await output.WriteLineAsync("id\tscopes\tproduct\tname\tcreated\tstatus");
            foreach (var key in keys)
            {
                await output.WriteLineAsync(string.Join('\t',
                    key.Id, string.Join(',', key.Scopes), key.ProductId?.ToString() ?? "-", key.Name,
                    key.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), key.Revoked ? "revoked" : "live"));
            }

            return Ok;
        });

        var id = new Argument<string>("id") { Description = "the key's id (key_…), as create and list print it" };
        var revoke = new Command("revoke", "Revoke an API key at once.") { id };
        revoke.SetAction(async (parsed, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            var keyId = parsed.GetRequiredValue(id);
            var revoked = await services.GetRequiredService<ApiKeyStore>().RevokeAsync(keyId, Operator, cancellationToken);
            if (revoked is null)
            {
                await parsed.InvocationConfiguration.Error.WriteLineAsync($"no key {keyId}");
                return Failed;
            }

            await parsed.InvocationConfiguration.Output.WriteLineAsync($"revoked {keyId}");
            return Ok;
        });

        return new Command("keys", "Manage API keys.") { create, list, revoke };
    }

    private static Command SettingsCommand(IServiceProvider services)
    {
        var workspace = WorkspaceOption();
        var tracking = new Option<bool>("--prompt-usage-tracking") { Description = "true or false: whether the prompt-usage API answers for the workspace", Required = true, Arity = ArgumentArity.ExactlyOne };
        var command = new Command("settings", "Change a workspace's settings.") { workspace, tracking };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            var (w, enabled) = (parsed.GetRequiredValue(workspace), parsed.GetValue(tracking));
            await services.GetRequiredService<ControlStore>().SetPromptUsageTrackingAsync(w, enabled, cancellationToken);
            await parsed.InvocationConfiguration.Output.WriteLineAsync($"prompt_usage_tracking={(enabled ? "true" : "false")} for {w}");
            return Ok;
        });
        return command;
    }

    private static Command ForgetCommand(IServiceProvider services)
    {
        var workspace = WorkspaceOption();
        var ids = new Argument<string[]>("history-ids") { Description = "the histories to forget", Arity = ArgumentArity.OneOrMore };
        ids.Validators.Add(result =>
        {
            if (HistoryForgetter.Problem(HistoryForgetter.Distinct(result.GetValueOrDefault<string[]>() ?? [])) is { } problem)
            {
                result.AddError(problem);
            }
        });
        var command = new Command("forget", "Exclude histories from every report from now on, rollups included. Idempotent.") { workspace, ids };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            var distinct = HistoryForgetter.Distinct(parsed.GetRequiredValue(ids));
            var forgotten = await services.GetRequiredService<HistoryForgetter>().ForgetAsync(parsed.GetRequiredValue(workspace), distinct, cancellationToken);
            await parsed.InvocationConfiguration.Output.WriteLineAsync($"forgotten {forgotten}, already forgotten {distinct.Length - forgotten}");
            return Ok;
        });
        return command;
    }

    private static Command CapsCommand(IServiceProvider services)
    {
        var workspace = WorkspaceOption();
        var user = new Option<string>("--user", "-u") { Description = "the user's id", Required = true };
        user.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not { Length: > 0 } u || TextLength.Exceeds(u, EventParser.MaxTextLength))
            {
                result.AddError($"--user must be 1-{EventParser.MaxTextLength} characters");
            }
        });
        var limit = new Option<decimal?>("--limit") { Description = "the lifetime credit cap: 0 to below 1e12, at most 6 decimals" };
        limit.Validators.Add(result =>
        {
            if (ControlApi.CapProblem(result.GetValueOrDefault<decimal?>()) is { } problem)
            {
                result.AddError(problem.Replace("cap_limit", "--limit", StringComparison.Ordinal).Replace(", or null", string.Empty, StringComparison.Ordinal));
            }
        });
        var clear = new Option<bool>("--clear") { Description = "remove the user's cap" };
        var set = new Command("set", "Set a user's lifetime credit cap (--limit), or remove it (--clear); the latest write wins.") { workspace, user, limit, clear };
        set.Validators.Add(result =>
        {
            if ((result.GetResult(limit) is not null) == result.GetValue(clear))
            {
                result.AddError("give either --limit or --clear");
            }
        });
        set.SetAction(async (parsed, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            var (w, u, cap) = (parsed.GetRequiredValue(workspace), parsed.GetRequiredValue(user), parsed.GetValue(clear) ? null : parsed.GetValue(limit));
            await services.GetRequiredService<ControlStore>().SetCapAsync(w, u, cap, cancellationToken);
            await parsed.InvocationConfiguration.Output.WriteLineAsync(
                cap is { } c ? $"cap {c.ToString(CultureInfo.InvariantCulture)} for {u} in {w}" : $"no cap for {u} in {w}");
            return Ok;
        });
        return new Command("caps", "Manage users' lifetime credit caps.") { set };
    }
}
