using Microsoft.Extensions.Options;

namespace Analytics.Api.Auth;

/// <summary>
/// Reads the caller's credential from <c>Authorization: Bearer</c>, <c>X-API-Key</c>,
/// <c>x-access-token</c> or the <c>alephant_token</c> cookie. A value may be an API key, a JWT, or
/// the bootstrap admin token.
/// </summary>
public sealed class CredentialResolver(ApiKeyStore keys, JwtValidator jwt, IOptions<AnalyticsOptions> options)
{
    private readonly string? adminToken = string.IsNullOrEmpty(options.Value.AdminToken) ? null : options.Value.AdminToken;

    /// <summary>The credential presented, or null when none is present or none is valid; resolved once per request.</summary>
    public async ValueTask<Credential?> ResolveAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(typeof(CredentialResolver), out var known))
        {
            return (Credential?)known;
        }

        var credential = await LookUpAsync(context);
        context.Items[typeof(CredentialResolver)] = credential;
        return credential;
    }

    private async ValueTask<Credential?> LookUpAsync(HttpContext context)
    {
        var token = Presented(context.Request);
        if (token is null)
        {
            return null;
        }

        if (adminToken is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(token), System.Text.Encoding.UTF8.GetBytes(adminToken)))
        {
            return new Credential(null, Scopes.All, null, IsBootstrapAdmin: true);
        }

        if (JwtValidator.LooksLikeJwt(token))
        {
            return await jwt.ValidateAsync(token, context.RequestAborted);
        }

        var key = await keys.FindAsync(token, context.RequestAborted);
        return key is null ? null : new Credential(key.WorkspaceId, key.Scopes.ToHashSet(StringComparer.Ordinal), key.ProductId);
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return NonEmpty(authorization["Bearer ".Length..]);
        }

        return NonEmpty(request.Headers["X-API-Key"].ToString())
            ?? NonEmpty(request.Headers["x-access-token"].ToString())
            ?? NonEmpty(request.Cookies["alephant_token"]);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
