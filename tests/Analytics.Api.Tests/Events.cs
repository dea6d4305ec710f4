using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Analytics.Api.Tests;

/// <summary>Builds NDJSON bodies for tests.</summary>
public static class Events
{
    public static string Line(string id, string timestamp = "2026-01-15T10:00:00Z", string user = "u1", string? prompt = "p1", decimal cost = 0.25m, decimal credits = 1m, string? history = null, string? extra = null)
    {
        var builder = new StringBuilder();
        builder.Append($"{{\"event_id\":\"{id}\",\"timestamp\":\"{timestamp}\",\"user_id\":\"{user}\"");
        if (prompt is not null)
        {
            builder.Append($",\"prompt_id\":\"{prompt}\"");
        }

        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $",\"cost\":{cost},\"credits\":{credits}");
        if (history is not null)
        {
            builder.Append($",\"history_id\":\"{history}\"");
        }

        if (extra is not null)
        {
            builder.Append(',').Append(extra);
        }

        return builder.Append('}').ToString();
    }

    public static StringContent Ndjson(params string[] lines) => new(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson");

    /// <summary><paramref name="ndjson"/> gzip-compressed, sent with <c>Content-Encoding: gzip</c>.</summary>
    public static ByteArrayContent Gzipped(ReadOnlySpan<byte> ndjson)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(ndjson);
        }

        var zipped = new ByteArrayContent(compressed.ToArray());
        zipped.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        zipped.Headers.ContentEncoding.Add("gzip");
        return zipped;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
