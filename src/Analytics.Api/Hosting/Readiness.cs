using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion;
using Dapper;

namespace Analytics.Api.Hosting;

/// <summary>
/// Whether this instance should take traffic: the schema is migrated, the de-duplication window is loaded
/// (until then the writer holds every batch back), and the engine answers a <c>SELECT 1</c> within
/// <see cref="ProbeTimeout"/>. The engine's answer is kept for <see cref="ProbeCacheFor"/>, so that probes
/// from a load balancer every few hundred milliseconds cost at most one statement a second.
/// </summary>
public sealed class Readiness(ClickHouseConnectionFactory connections, EventWriter writer, TimeProvider time)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ProbeCacheFor = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private volatile bool migrated;
    private Task<string>? probe;
    private DateTimeOffset probedAt;

    /// <summary>Called once the migrations (and the retention settings) are applied.</summary>
    public void MigrationsDone() => migrated = true;

    public async Task<Report> CheckAsync()
    {
        var engine = await EngineAsync();
        var dedup = writer.Ready.IsCompletedSuccessfully ? "loaded" : writer.DedupLoadProblem is { } problem ? $"loading: {problem}" : "loading";
        var checks = new Dictionary<string, string>
        {
            ["migrations"] = migrated ? "done" : "pending",
            ["dedup_window"] = dedup,
            ["engine"] = engine,
        };
        var ready = migrated && writer.Ready.IsCompletedSuccessfully && engine == "ok";
        return new Report(ready ? "ready" : "not_ready", checks);
    }

    private Task<string> EngineAsync()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (probe is null || (probe.IsCompleted && now - probedAt >= ProbeCacheFor))
            {
                probedAt = now;
                probe = ProbeAsync();
            }

            return probe;
        }
    }

    private async Task<string> ProbeAsync()
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            await using var connection = await connections.OpenAsync(timeout.Token);
            var one = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                SqlFiles.Query("ready_probe"), commandTimeout: (int)ProbeTimeout.TotalSeconds, cancellationToken: timeout.Token));
            return one == 1 ? "ok" : $"unexpected answer: {one}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"unreachable: no answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception ex)
        {
            return $"unreachable: {ex.Message}";
        }
    }

    /// <summary>The body of <c>/readyz</c>.</summary>
    public sealed record Report(string Status, IReadOnlyDictionary<string, string> Checks);
}
