using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Analytics.Api.Auth;

/// <summary>
/// Verifies HS256 JWTs whose claims name the workspace (<c>workspace_id</c>), the scopes
/// (<c>scopes</c> as an array or <c>scope</c> space-separated) and optionally <c>product_id</c>.
/// <c>exp</c> and <c>nbf</c> are honoured.
/// </summary>
public sealed class JwtValidator(string? signingKey, TimeProvider time)
{
    private readonly byte[]? key = string.IsNullOrEmpty(signingKey) ? null : Encoding.UTF8.GetBytes(signingKey);

    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && !token.StartsWith(KeySecrets.Prefix, StringComparison.Ordinal);

    public Credential? Validate(string token)
    {
        if (key is null)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "HS256")
            {
                return null;
            }

            var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
            if (!CryptographicOperations.FixedTimeEquals(expected, FromBase64Url(parts[2])))
            {
                return null;
            }

            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            var claims = payload.RootElement;
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            if ((claims.TryGetProperty("exp", out var exp) && exp.GetInt64() < now) ||
                (claims.TryGetProperty("nbf", out var nbf) && nbf.GetInt64() > now))
            {
                return null;
            }

            var workspace = claims.TryGetProperty("workspace_id", out var w) ? w.GetString() : null;
            if (string.IsNullOrEmpty(workspace))
            {
                return null;
            }

            var scopes = new HashSet<string>(StringComparer.Ordinal);
            if (claims.TryGetProperty("scopes", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                scopes.UnionWith(list.EnumerateArray().Select(s => s.GetString() ?? string.Empty));
            }
            else if (claims.TryGetProperty("scope", out var text) && text.ValueKind == JsonValueKind.String)
            {
                scopes.UnionWith(text.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }

            Guid? product = claims.TryGetProperty("product_id", out var p) && Guid.TryParse(p.GetString(), out var g) ? g : null;
            return new Credential(workspace, scopes, product);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Signs claims into a token; used by the CLI and tests.</summary>
    public static string Sign(string signingKey, object claims)
    {
        var header = KeySecrets.Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);
        var payload = KeySecrets.Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + KeySecrets.Base64Url(signature);
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
        return Convert.FromBase64String(padded);
    }
}
