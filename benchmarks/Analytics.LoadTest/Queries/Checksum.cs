using System.Globalization;
using System.Security.Cryptography;

namespace Analytics.LoadTest.Queries;

/// <summary>A short digest of an answer, the same text whichever system gave it, to show that they answered the same question.</summary>
internal static class Checksum
{
    public static string PromptStats(long calls, decimal cost) =>
        string.Create(CultureInfo.InvariantCulture, $"calls={calls} cost={Math.Round(cost, 6):0.000000}");

    public static string PromptUsage(long rows, long prompts) =>
        string.Create(CultureInfo.InvariantCulture, $"rows={rows} prompts={prompts}");

    /// <summary>
    /// A checksum of an answer's rows followed by the first 8 bytes of the SHA-256 of its whole body: equal only
    /// for answers that are the same bytes, in the same order.
    /// </summary>
    public static string Digest(string checksum, ReadOnlySpan<byte> body) =>
        string.Concat(checksum, " body=", Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 8)));

    /// <summary>Rows returned (at most 5000), their query counts, whether more matched, and users at cap over all matches.</summary>
    public static string UserStats(long rows, long queries, bool truncated, long usersAtCap) =>
        string.Create(CultureInfo.InvariantCulture, $"rows={rows} queries={queries} truncated={(truncated ? 1 : 0)} at_cap={usersAtCap}");
}
