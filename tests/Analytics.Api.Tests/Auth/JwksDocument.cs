using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Tests.Auth;

/// <summary>An identity provider's signing keys: private halves to sign with, the public halves as a JWKS document.</summary>
internal sealed class JwksDocument : IDisposable
{
    private readonly List<(string Kid, AsymmetricAlgorithm Key)> keys = [];

    public RsaSecurityKey AddRsa(string kid)
    {
        var rsa = RSA.Create(2048);
        keys.Add((kid, rsa));
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }

    public ECDsaSecurityKey AddEc(string kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keys.Add((kid, ec));
        return new ECDsaSecurityKey(ec) { KeyId = kid };
    }

    public void Remove(string kid) => keys.RemoveAll(k => k.Kid == kid);

    /// <summary>The public keys, as <c>/.well-known/jwks.json</c> serves them.</summary>
    public string Json() => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k => k.Key switch
        {
            RSA rsa => (object)Rsa(k.Kid, rsa.ExportParameters(includePrivateParameters: false)),
            ECDsa ec => Ec(k.Kid, ec.ExportParameters(includePrivateParameters: false)),
            _ => throw new InvalidOperationException(),
        }).ToArray(),
    });

    public void Dispose()
    {
        foreach (var (_, key) in keys)
        {
            key.Dispose();
        }
    }

    private static object Rsa(string kid, RSAParameters p) =>
        new { kty = "RSA", use = "sig", alg = "RS256", kid, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };

    private static object Ec(string kid, ECParameters p) =>
        new { kty = "EC", use = "sig", alg = "ES256", kid, crv = "P-256", x = Base64UrlEncoder.Encode(p.Q.X), y = Base64UrlEncoder.Encode(p.Q.Y) };
}
