using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Auth;

/// <summary>
/// ASP.NET Core authentication over <see cref="CredentialResolver"/>: every credential form the contract names
/// (bearer, <c>X-API-Key</c>, <c>x-access-token</c>, the cookie; API key, JWT or the bootstrap token) becomes a
/// principal with one <c>scope</c> claim per scope, so endpoints declare <c>RequireAuthorization("admin")</c>.
/// </summary>
public sealed class CredentialAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CredentialResolver credentials)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Credential";
    public const string ScopeClaim = "scope";
    public const string WorkspaceClaim = "workspace_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = await credentials.ResolveAsync(Context);
        if (credential is null)
        {
            return AuthenticateResult.NoResult();
        }

        var claims = Scopes.All.Where(credential.Has).Select(s => new Claim(ScopeClaim, s)).ToList();
        if (credential.WorkspaceId is not null)
        {
            claims.Add(new Claim(WorkspaceClaim, credential.WorkspaceId));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
