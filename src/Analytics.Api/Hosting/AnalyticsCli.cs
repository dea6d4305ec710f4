using System.CommandLine;
using Analytics.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Hosting;

/// <summary>
/// The admin operations as commands of the service binary (System.CommandLine): <c>keys create|list|revoke</c>,
/// <c>settings</c>, <c>forget</c>, <c>caps set</c> and <c>migrate</c>. They call the services the admin API calls,
/// on the configured database, and act with the bootstrap admin's authority: whoever runs the binary holds its data.
/// Exit codes: 0 done, 1 failed, 2 a usage error.
/// </summary>
public static partial class AnalyticsCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly string[] Starters = ["--help", "-h", "-?", "--version", "keys", "settings", "forget", "caps", "migrate"];

    /// <summary>True when <paramref name="args"/> ask for a command (or for help) rather than for the service.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && Starters.Contains(args[0]);

    /// <summary>Runs the command <paramref name="args"/> name, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> InvokeAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parsed = Root(services).Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync("Run it with --help for its usage.");
            return Usage;
        }

        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"failed: {ex.Message}");
            return Failed;
        }
    }

    private static RootCommand Root(IServiceProvider services) =>
        new("Analytics: LLM usage analytics on ClickHouse. With no command the service starts; the commands below manage it without serving HTTP.")
        {
            KeysCommand(services),
            SettingsCommand(services),
            ForgetCommand(services),
            CapsCommand(services),
            MigrateCommand(services),
        };

    private static Command MigrateCommand(IServiceProvider services)
    {
        var command = new Command("migrate", "Apply the schema migrations to the configured database (the service also does at start).");
        command.SetAction(async (_, cancellationToken) =>
        {
            await MigrateAsync(services, cancellationToken);
            return Ok;
        });
        return command;
    }

    /// <summary>Every command but <c>migrate</c> runs this first too: the service, which would have, is not started.</summary>
    private static Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<SchemaMigrator>().MigrateAsync(services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.Database, cancellationToken);

    private static Option<string> WorkspaceOption() => new("--workspace", "-w") { Description = "the workspace (tenant) id", Required = true };
}
