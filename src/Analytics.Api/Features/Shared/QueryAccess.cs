using Analytics.Api.Auth;

namespace Analytics.Api.Features.Shared;

/// <summary>The workspace a query runs in, or why there is none.</summary>
internal readonly record struct QueryAccess(string? WorkspaceId, Credential? Credential, AccessFailure Failure, string Message)
{
    public const string WorkspaceHeader = "X-Workspace-Id";

    /// <summary>
    /// Resolves the caller's credential and the workspace it queries. A workspace credential queries its
    /// own workspace; an <c>X-Workspace-Id</c> header, when sent (always, when <paramref name="headerRequired"/>),
    /// must name that workspace. The bootstrap admin token queries the workspace the header names.
    /// </summary>
    public static async ValueTask<QueryAccess> ResolveAsync(
        HttpContext context, CredentialResolver credentials, string scope, string? workspaceHeader, bool headerRequired = false)
    {
        var credential = await credentials.ResolveAsync(context);
        if (credential is null)
        {
            return new(null, null, AccessFailure.Unauthenticated, "missing or invalid credential");
        }

        if (!credential.Has(scope))
        {
            return new(null, credential, AccessFailure.Forbidden, $"the credential lacks the '{scope}' scope");
        }

        var header = string.IsNullOrWhiteSpace(workspaceHeader) ? null : workspaceHeader.Trim();
        if (credential.IsBootstrapAdmin)
        {
            return header is null
                ? new(null, credential, AccessFailure.WorkspaceMissing, $"the admin token acts for the workspace named in the {WorkspaceHeader} header")
                : new(header, credential, AccessFailure.None, string.Empty);
        }

        if ((header is null && headerRequired) || (header is not null && !credential.CanAccess(header)))
        {
            return new(null, credential, AccessFailure.Forbidden, $"the {WorkspaceHeader} header must name the credential's workspace");
        }

        return new(credential.WorkspaceId, credential, AccessFailure.None, string.Empty);
    }
}
