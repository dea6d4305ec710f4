namespace Analytics.Api.Features.Shared;

/// <summary>Why a query API turns a caller away; each API renders it in its own error shape.</summary>
internal enum AccessFailure
{
    None,

    /// <summary>No credential, or none that is valid (401).</summary>
    Unauthenticated,

    /// <summary>A valid credential without the scope, or for another workspace or product (403).</summary>
    Forbidden,

    /// <summary>The bootstrap admin token without an <c>X-Workspace-Id</c> header to say which workspace it acts for.</summary>
    WorkspaceMissing,
}
