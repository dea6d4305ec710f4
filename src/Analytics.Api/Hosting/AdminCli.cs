using Analytics.Api.Auth;
using Analytics.Api.Control;
using Analytics.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Hosting;

/// <summary>
/// The admin operations as commands of the service binary:
/// <c>keys create --workspace W --scopes ingest,read [--product P] [--name N]</c>,
/// <c>keys revoke ID</c>, <c>settings --workspace W --prompt-usage-tracking true|false</c>.
/// </summary>
public static class AdminCli
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "keys" or "settings";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var options = services.GetRequiredService<IOptions<AnalyticsOptions>>().Value;
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(options.Database, CancellationToken.None);
        var flags = Flags(args);
        var root = new Credential(null, Scopes.All, null, IsBootstrapAdmin: true);
        switch (args)
        {
            case ["keys", "create", ..] when flags.TryGetValue("workspace", out var workspace) && flags.TryGetValue("scopes", out var scopes):
                Guid? product = flags.TryGetValue("product", out var p) ? Guid.Parse(p) : null;
                var (key, secret) = await services.GetRequiredService<ApiKeyStore>().CreateAsync(
                    workspace, scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), product, flags.GetValueOrDefault("name"), CancellationToken.None);
                Console.WriteLine($"id:  {key.Id}");
                Console.WriteLine($"key: {secret}   (shown only now)");
                return 0;
            case ["keys", "revoke", var id]:
                var revoked = await services.GetRequiredService<ApiKeyStore>().RevokeAsync(id, root, CancellationToken.None);
                Console.WriteLine(revoked is null ? $"no key {id}" : $"revoked {id}");
                return revoked is null ? 1 : 0;
            case ["settings", ..] when flags.TryGetValue("workspace", out var workspace) && flags.TryGetValue("prompt-usage-tracking", out var enabled):
                await services.GetRequiredService<ControlStore>().SetPromptUsageTrackingAsync(workspace, bool.Parse(enabled), CancellationToken.None);
                Console.WriteLine($"prompt_usage_tracking={enabled} for {workspace}");
                return 0;
            default:
                Console.Error.WriteLine("""
                    usage:
                      Analytics.Api keys create --workspace W --scopes ingest,read,admin [--product UUID] [--name NAME]
                      Analytics.Api keys revoke KEY_ID
                      Analytics.Api settings --workspace W --prompt-usage-tracking true|false
                    """);
                return 2;
        }
    }

    private static Dictionary<string, string> Flags(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                flags[args[i][2..]] = args[++i];
            }
        }

        return flags;
    }
}
