using Analytics.Api.Infrastructure;
using Dapper;

namespace Analytics.Api.Control;

/// <summary>Workspace settings and user caps, versioned rows in ClickHouse where the newest wins.</summary>
public sealed class ControlStore(ClickHouseConnectionFactory connections, TimeProvider time)
{
    /// <summary>Whether prompt-usage tracking is on for <paramref name="workspaceId"/> (on unless turned off).</summary>
    public async Task<bool> PromptUsageTrackingAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var setting = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
            SqlFiles.Query("settings_tracking"), QueryParameters.From(new { workspace = workspaceId }), cancellationToken: cancellationToken));
        return setting ?? true;
    }

    public async Task SetPromptUsageTrackingAsync(string workspaceId, bool enabled, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            SqlFiles.Query("settings_save"), QueryParameters.From(new { workspace = workspaceId, enabled, version = Version() }), cancellationToken: cancellationToken));
    }

    public async Task SetCapAsync(string workspaceId, string userId, decimal? capLimit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            SqlFiles.Query("caps_save"), QueryParameters.From(new { workspace = workspaceId, user = userId, cap = capLimit, version = Version() }), cancellationToken: cancellationToken));
    }

    // Microseconds since the epoch: later writes get larger versions, also across instances with synchronised clocks.
    private ulong Version() => (ulong)(time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
}
