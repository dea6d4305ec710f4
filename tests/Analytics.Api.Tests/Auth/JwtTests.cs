using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Tests.Auth;

/// <summary>
/// JWTs from an identity provider (RS256 and ES256 against a JWKS file) beside the shared-secret HS256 ones, and
/// the tokens an attacker would try.
/// </summary>
public sealed class JwtTests
{
    private const string Issuer = "https://idp.example.test";
    private const string Audience = "analytics";

    private readonly JwksDocument jwks = new();
    private AnalyticsFactory factory = null!;
    private RsaSecurityKey rsa = null!;
    private ECDsaSecurityKey ec = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        rsa = jwks.AddRsa("rsa-1");
        ec = jwks.AddEc("ec-1");
        Directory.CreateDirectory(AnalyticsFactory.DataPath);
        var path = Path.Combine(AnalyticsFactory.DataPath, "jwks-" + nameof(JwtTests) + ".json");
        await File.WriteAllTextAsync(path, jwks.Json());
        factory = await AnalyticsFactory.StartFreshAsync(nameof(JwtTests), new()
        {
            ["Analytics:Jwt:JwksPath"] = path,
            ["Analytics:Jwt:Issuer"] = Issuer,
            ["Analytics:Jwt:Audience"] = Audience,
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await factory.DisposeAsync();
        jwks.Dispose();
    }

    [Test]
    public async Task Rs256AndEs256Tokens_FromTheJwks_CarryTheirClaims()
    {
        var product = Guid.NewGuid();
        var fromRsa = await WhoAmI(TestTokens.Sign(Claims(new { scope = "read ingest", product_id = product }), rsa, SecurityAlgorithms.RsaSha256));
        var fromEc = await WhoAmI(TestTokens.Sign(Claims(new { scopes = new[] { "admin" } }), ec, SecurityAlgorithms.EcdsaSha256));

        Assert.Multiple(async () =>
        {
            Assert.That(fromRsa.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var body = await fromRsa.JsonAsync();
            Assert.That(body.GetProperty("workspace_id").GetString(), Is.EqualTo("ws-idp"));
            Assert.That(body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "ingest", "read" }));
            Assert.That(body.GetProperty("product_id").GetGuid(), Is.EqualTo(product));
            Assert.That(fromEc.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await fromEc.JsonAsync()).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "admin" }));
        });
    }

    [Test]
    public async Task TheScopesOfAToken_DecideWhatItMayDo()
    {
        var ingest = TestTokens.Sign(Claims(new { scopes = new[] { "ingest" } }), rsa, SecurityAlgorithms.RsaSha256);
        var read = TestTokens.Sign(Claims(new { scopes = new[] { "read" } }), rsa, SecurityAlgorithms.RsaSha256);

        Assert.That((await PostEvent(ingest, "jwt-rs-1")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await PostEvent(read, "jwt-rs-2")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AlgNone_IsRefused()
    {
        Assert.That((await WhoAmI(TestTokens.Unsigned(Claims()))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task TokensSignedWithOtherKeys_AreRefused()
    {
        using var otherRsa = RSA.Create(2048);
        using var otherEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // The identity provider's key ids, other keys: what a forger who read the JWKS would send.
        var rs = TestTokens.Sign(Claims(), new RsaSecurityKey(otherRsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256);
        var es = TestTokens.Sign(Claims(), new ECDsaSecurityKey(otherEc) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256);
        var hs = TestTokens.Hs256("not-the-configured-signing-key-at-all-0123", Claims());

        Assert.Multiple(async () =>
        {
            Assert.That((await WhoAmI(rs)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await WhoAmI(es)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await WhoAmI(hs)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task AnHs256TokenSignedWithTheRsaPublicKeyAsItsSecret_IsRefused()
    {
        // Key confusion: a verifier that fed the public key to HMAC would take this token, and anyone can make it.
        var publicPem = Encoding.UTF8.GetBytes(rsa.Rsa.ExportSubjectPublicKeyInfoPem());
        var publicDer = rsa.Rsa.ExportSubjectPublicKeyInfo();
        var withPem = TestTokens.Sign(Claims(), new SymmetricSecurityKey(publicPem) { KeyId = "rsa-1" }, SecurityAlgorithms.HmacSha256);
        var withDer = TestTokens.Sign(Claims(), new SymmetricSecurityKey(publicDer), SecurityAlgorithms.HmacSha256);
        var control = TestTokens.Hs256(AnalyticsFactory.JwtKey, Claims());

        Assert.Multiple(async () =>
        {
            Assert.That((await WhoAmI(withPem)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await WhoAmI(withDer)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await WhoAmI(control)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the configured HS256 key still works beside the JWKS");
        });
    }

    [Test]
    public async Task ExpiryAndNotBefore_HoldBeyondThe30SecondClockSkew()
    {
        async Task<HttpStatusCode> With(object times) =>
            (await WhoAmI(TestTokens.Sign(Claims(times), rsa, SecurityAlgorithms.RsaSha256))).StatusCode;

        Assert.Multiple(async () =>
        {
            Assert.That(await With(new { exp = TestTokens.Now(-120) }), Is.EqualTo(HttpStatusCode.Unauthorized), "expired two minutes ago");
            Assert.That(await With(new { exp = TestTokens.Now(-5) }), Is.EqualTo(HttpStatusCode.OK), "expired within the skew");
            Assert.That(await With(new { nbf = TestTokens.Now(120), exp = TestTokens.Now(600) }), Is.EqualTo(HttpStatusCode.Unauthorized), "valid only in two minutes");
            Assert.That(await With(new { nbf = TestTokens.Now(5), exp = TestTokens.Now(600) }), Is.EqualTo(HttpStatusCode.OK), "valid within the skew");
        });
    }

    [Test]
    public async Task IssuerAndAudience_AreCheckedWhenConfigured()
    {
        var foreignIssuer = TestTokens.Sign(new { workspace_id = "ws-idp", scope = "read", iss = "https://elsewhere.test", aud = Audience }, rsa, SecurityAlgorithms.RsaSha256);
        var foreignAudience = TestTokens.Sign(new { workspace_id = "ws-idp", scope = "read", iss = Issuer, aud = "another-service" }, rsa, SecurityAlgorithms.RsaSha256);
        var noAudience = TestTokens.Sign(new { workspace_id = "ws-idp", scope = "read", iss = Issuer }, rsa, SecurityAlgorithms.RsaSha256);

        Assert.Multiple(async () =>
        {
            Assert.That((await WhoAmI(foreignIssuer)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await WhoAmI(foreignAudience)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await WhoAmI(noAudience)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task ATokenWithoutAWorkspace_IsRefused()
    {
        var token = TestTokens.Sign(new { scope = "read", iss = Issuer, aud = Audience }, rsa, SecurityAlgorithms.RsaSha256);
        Assert.That((await WhoAmI(token)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>The claims of a valid token for workspace ws-idp, with <paramref name="extra"/>'s on top.</summary>
    private static Dictionary<string, object?> Claims(object? extra = null)
    {
        var claims = new Dictionary<string, object?> { ["workspace_id"] = "ws-idp", ["scope"] = "read", ["iss"] = Issuer, ["aud"] = Audience };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                claims[property.Name] = property.Value;
            }
        }

        return claims;
    }

    private async Task<HttpResponseMessage> WhoAmI(string token)
    {
        using var client = factory.CreateClient(token);
        return await client.GetAsync("/v1/auth/whoami");
    }

    private async Task<HttpResponseMessage> PostEvent(string token, string id)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Events.Ndjson(Events.Line(id)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
