using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Auth;

/// <summary>
/// Verifies JWT credentials with Microsoft.IdentityModel: HS256 with <c>Analytics:JwtSigningKey</c>, RS256 and
/// ES256 with the keys of a JWKS document. Claims: <c>workspace_id</c> (required), <c>scopes</c> (an array) or
/// <c>scope</c> (space-separated), optionally <c>product_id</c>; <c>exp</c> and <c>nbf</c> are honoured within
/// <see cref="JwtOptions.ClockSkew"/> when present, <c>iss</c> and <c>aud</c> checked when configured.
/// </summary>
public sealed partial class JwtValidator
{
    private static readonly string[] Asymmetric = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly SymmetricSecurityKey? symmetric;
    private readonly JwksKeySource jwks;
    private readonly TokenValidationParameters parameters;
    private readonly ILogger<JwtValidator> logger;

    public JwtValidator(IOptions<AnalyticsOptions> options, JwksKeySource jwks, ILogger<JwtValidator> logger)
    {
        this.jwks = jwks;
        this.logger = logger;
        var signingKey = options.Value.JwtSigningKey;
        if (!string.IsNullOrEmpty(signingKey))
        {
            var bytes = Encoding.UTF8.GetBytes(signingKey);
            if (bytes.Length < 32)
            {
                // HS256 needs a key of at least 256 bits; a shorter one would refuse every token without saying why.
                throw new InvalidOperationException("Analytics:JwtSigningKey must be at least 32 bytes long (HS256 needs a 256-bit key).");
            }

            symmetric = new SymmetricSecurityKey(bytes);
        }

        var jwt = options.Value.Jwt;
        parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256, .. Asymmetric],
            RequireSignedTokens = true,
            ValidateLifetime = true,

            // Tokens without exp have always been accepted (a gateway's long-lived service token); with exp, it holds.
            RequireExpirationTime = false,
            ClockSkew = JwtOptions.ClockSkew,
            ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer),
            ValidIssuer = jwt.Issuer,
            ValidateAudience = !string.IsNullOrWhiteSpace(jwt.Audience),
            ValidAudience = jwt.Audience,
            TryAllIssuerSigningKeys = true,
        };
    }

    /// <summary>True when <paramref name="token"/> has a JWT's shape (three dot-separated parts), and is no API key.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && !token.StartsWith(KeySecrets.Prefix, StringComparison.Ordinal);

    /// <summary>The credential the token carries, or null when it is not valid.</summary>
    public async ValueTask<Credential?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        JsonWebToken unverified;
        try
        {
            unverified = handler.ReadJsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return null;
        }

        // Each algorithm family gets only its own keys: an HS256 token is never checked against a public key
        // (the key-confusion attack), nor an RS256 or ES256 token against the shared secret.
        IReadOnlyList<SecurityKey> keys = unverified.Alg switch
        {
            SecurityAlgorithms.HmacSha256 => symmetric is null ? [] : [symmetric],
            var alg when Asymmetric.Contains(alg) => await jwks.KeysAsync(unverified.Kid, cancellationToken),
            _ => [],
        };
        if (keys.Count == 0)
        {
            return null;
        }

        var scoped = parameters.Clone();
        scoped.IssuerSigningKeys = keys;
        scoped.ValidAlgorithms = [unverified.Alg];
        var result = await handler.ValidateTokenAsync(token, scoped);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken verified)
        {
            LogRefused(logger, unverified.Alg, result.Exception?.GetType().Name);
            return null;
        }

        return CredentialOf(verified);
    }

    private static Credential? CredentialOf(JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<string>("workspace_id", out var workspace) || string.IsNullOrEmpty(workspace))
        {
            return null;
        }

        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (token.TryGetPayloadValue<string[]>("scopes", out var list) && list is not null)
        {
            scopes.UnionWith(list.Where(s => s is not null));
        }
        else if (token.TryGetPayloadValue<string>("scope", out var text) && text is not null)
        {
            scopes.UnionWith(text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        Guid? product = token.TryGetPayloadValue<string>("product_id", out var p) && Guid.TryParse(p, out var g) ? g : null;
        return new Credential(workspace, scopes, product);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "JWT ({Algorithm}) refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string algorithm, string? reason);
}
