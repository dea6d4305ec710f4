using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Tests.Auth;

/// <summary>JWTs as gateways and identity providers sign them, made with the same library the service verifies with.</summary>
internal static class TestTokens
{
    /// <summary>An HS256 token over exactly <paramref name="claims"/> (no times added).</summary>
    public static string Hs256(string key, object claims) =>
        Sign(claims, new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256);

    public static string Sign(object claims, SecurityKey key, string algorithm) =>
        new JsonWebTokenHandler().CreateToken(JsonSerializer.Serialize(claims), new SigningCredentials(key, algorithm));

    /// <summary>A token with <c>alg: none</c> and no signature, as an attacker would send one.</summary>
    public static string Unsigned(object claims) =>
        Base64Url("""{"alg":"none","typ":"JWT"}"""u8.ToArray()) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".";

    public static long Now(int offsetSeconds = 0) => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offsetSeconds;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
