namespace Analytics.Api.Auth;

/// <summary>
/// Where the keys of asymmetrically signed JWTs (RS256, ES256) come from, and what their claims must name
/// (section <c>Analytics:Jwt</c>). HS256 keeps its key in <c>Analytics:JwtSigningKey</c>.
/// </summary>
public sealed class JwtOptions
{
    /// <summary>How far a token's <c>exp</c> and <c>nbf</c> may be off the service's clock: gateways' clocks drift.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>An identity provider's JWKS document (HTTPS, or HTTP on a loopback address).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>A JWKS document on disk, read like the URL's.</summary>
    public string? JwksPath { get; set; }

    /// <summary>The <c>iss</c> tokens must carry; unset: not checked.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> tokens must carry; unset: not checked.</summary>
    public string? Audience { get; set; }

    /// <summary>How old the key set may grow before it is fetched again.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The least time between two fetches, also when tokens name a key the set lacks: a stream of made-up
    /// <c>kid</c>s must not become a stream of requests to the identity provider.
    /// </summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}
