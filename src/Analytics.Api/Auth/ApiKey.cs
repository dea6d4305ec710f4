namespace Analytics.Api.Auth;

/// <summary>A stored API key: only the hash of its secret is kept.</summary>
public sealed record ApiKey(string Id, string WorkspaceId, string KeyHash, string[] Scopes, Guid? ProductId, string Name, DateTime CreatedAt, bool Revoked);
