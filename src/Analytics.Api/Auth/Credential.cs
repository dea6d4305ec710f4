namespace Analytics.Api.Auth;

/// <summary>Scopes a credential can hold.</summary>
public static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Ingest, Read, Admin };
}

/// <summary>
/// Who is calling: a workspace's API key or JWT, or the bootstrap admin token (which may act for
/// any workspace).
/// </summary>
public sealed record Credential(string? WorkspaceId, IReadOnlySet<string> Scopes, Guid? ProductId, bool IsBootstrapAdmin = false)
{
    public bool Has(string scope) => IsBootstrapAdmin || Scopes.Contains(scope);

    /// <summary>True when the credential may act in <paramref name="workspaceId"/>.</summary>
    public bool CanAccess(string workspaceId) => IsBootstrapAdmin || string.Equals(WorkspaceId, workspaceId, StringComparison.Ordinal);
}
