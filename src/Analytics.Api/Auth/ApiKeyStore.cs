using System.Collections.Concurrent;
using Analytics.Api.Infrastructure;
using Dapper;

namespace Analytics.Api.Auth;

/// <summary>
/// API keys, stored in ClickHouse as hashes. Lookups are served from memory; a hash not in memory
/// is looked up once (keys made by another instance) and remembered, revoked or not. Revoking
/// through this instance takes effect at once.
/// </summary>
public sealed class ApiKeyStore(ClickHouseConnectionFactory connections, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ApiKey?> byHash = new(StringComparer.Ordinal);

    public async Task<(ApiKey Key, string Secret)> CreateAsync(string workspaceId, IReadOnlyCollection<string> scopes, Guid? productId, string? name, CancellationToken cancellationToken)
    {
        var secret = KeySecrets.NewSecret();
        var key = new ApiKey(KeySecrets.NewId(), workspaceId, KeySecrets.Hash(secret), [.. scopes.Distinct()], productId, name ?? string.Empty, time.GetUtcNow().UtcDateTime, Revoked: false);
        await SaveAsync(key, cancellationToken);
        byHash[key.KeyHash] = key;
        return (key, secret);
    }

    /// <summary>
    /// Revokes a key if <paramref name="by"/> may (an admin of the key's workspace). Returns the key as
    /// it now stands (still live when refused), or null when no such key exists.
    /// </summary>
    public async Task<ApiKey?> RevokeAsync(string id, Credential by, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var key = await connection.QuerySingleOrDefaultAsync<ApiKey>(new CommandDefinition(
            SqlFiles.Query("keys_by_id"), QueryParameters.From(new { id }), cancellationToken: cancellationToken));
        if (key is null || !by.CanAccess(key.WorkspaceId))
        {
            return key;
        }

        var revoked = key with { Revoked = true };
        await SaveAsync(revoked, cancellationToken);
        byHash[key.KeyHash] = revoked;
        return revoked;
    }

    /// <summary>Every key of <paramref name="workspaceId"/>, revoked ones included, oldest first.</summary>
    public async Task<IReadOnlyList<ApiKey>> ListAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var keys = await connection.QueryAsync<ApiKey>(new CommandDefinition(
            SqlFiles.Query("keys_list"), QueryParameters.From(new { workspace = workspaceId }), cancellationToken: cancellationToken));
        return [.. keys];
    }

    /// <summary>The live key whose secret is <paramref name="secret"/>, or null.</summary>
    public async ValueTask<ApiKey?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        var hash = KeySecrets.Hash(secret);
        if (!byHash.TryGetValue(hash, out var key))
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            key = await connection.QuerySingleOrDefaultAsync<ApiKey>(new CommandDefinition(
                SqlFiles.Query("keys_by_hash"), QueryParameters.From(new { hash }), cancellationToken: cancellationToken));
            byHash[hash] = key;
        }

        return key is { Revoked: false } ? key : null;
    }

    private async Task SaveAsync(ApiKey key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            SqlFiles.Query("keys_save"),
            QueryParameters.From(new
            {
                id = key.Id,
                workspace = key.WorkspaceId,
                hash = key.KeyHash,
                scopes = key.Scopes,
                product = key.ProductId,
                name = key.Name,
                created = key.CreatedAt,
                revoked = key.Revoked,
                version = (ulong)(time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10,
            }),
            cancellationToken: cancellationToken));
    }
}
