using System.Security.Cryptography;
using System.Text;

namespace Analytics.Api.Auth;

/// <summary>Makes and hashes API key secrets. Keys are 256 random bits, so a plain SHA-256 is enough to store them.</summary>
public static class KeySecrets
{
    public const string Prefix = "ak_";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    internal static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
