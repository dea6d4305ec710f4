using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// What a ClickHouse server's HTTP answer says beyond its data: the error it carries, on an error status or,
/// after a 200, at the end of the body, and the rows a statement wrote.
/// </summary>
internal static class ServerAnswers
{
    public const string ExceptionCodeHeader = "X-ClickHouse-Exception-Code";

    /// <summary>
    /// The server's error, if the response carries one. On a 200 the status line went out before the statement
    /// failed, so the error shows as an exception code header or trailer, or a tagged text at the end; the body
    /// may be only its end (a streamed answer's last bytes), where the error text is.
    /// </summary>
    public static ClickHouseServerException? FindError(HttpResponseMessage response, ReadOnlySpan<byte> body, string? queryId)
    {
        var code = HeaderInt(response.Headers, ExceptionCodeHeader) ?? HeaderInt(response.TrailingHeaders, ExceptionCodeHeader);
        if (response.IsSuccessStatusCode)
        {
            var tagged = TaggedMessage(response, body);
            return tagged is null && code is null ? null : ClickHouseServerException.FromMessage(tagged ?? TailMessage(body), queryId, code);
        }

        var text = Encoding.UTF8.GetString(body);
        if (!text.Contains("Code:", StringComparison.Ordinal))
        {
            // Not ClickHouse's own text: a proxy or load balancer answered.
            text = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {text}";
        }

        return ClickHouseServerException.FromMessage(text, queryId, code);
    }

    /// <summary>The rows written, from <c>X-ClickHouse-Summary</c> (JSON with numbers as strings), or 0.</summary>
    public static ulong WrittenRows(HttpResponseMessage response)
    {
        if (Header(response.Headers, "X-ClickHouse-Summary") is not { } summary)
        {
            return 0;
        }

        try
        {
            using var json = JsonDocument.Parse(summary);
            return json.RootElement.TryGetProperty("written_rows", out var rows)
                && ulong.TryParse(rows.ValueKind == JsonValueKind.String ? rows.GetString() : rows.GetRawText(), CultureInfo.InvariantCulture, out var n)
                ? n
                : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>The last value of header <paramref name="name"/> as an integer, if there is one.</summary>
    public static int? HeaderInt(HttpHeaders headers, string name) =>
        int.TryParse(Header(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;

    // ClickHouse 25.11+ names a per-response tag in X-ClickHouse-Exception-Tag and ends a body that failed
    // mid-stream with "__exception__TAG\r\n<message>\r\n<length> TAG__exception__\r\n".
    private static string? TaggedMessage(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        if (Header(response.Headers, "X-ClickHouse-Exception-Tag") is not { Length: > 0 } tag)
        {
            return null;
        }

        var close = Encoding.ASCII.GetBytes(tag + "__exception__");
        var open = Encoding.ASCII.GetBytes("__exception__" + tag);
        var span = body.TrimEnd("\r\n"u8);
        var start = span.EndsWith(close) ? span[..^close.Length].LastIndexOf(open) : -1;
        if (start < 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(span[(start + open.Length)..^close.Length]).Trim();
        var lastLine = text.LastIndexOf('\n');
        return lastLine >= 0 && !text.AsSpan(lastLine + 1).Trim().ContainsAnyExceptInRange('0', '9')
            ? text[..lastLine].Trim()
            : text;
    }

    // Without a tag, the error text is whatever follows the data; it starts at "Code:".
    private static string TailMessage(ReadOnlySpan<byte> body)
    {
        var tail = Encoding.UTF8.GetString(body[Math.Max(0, body.Length - 4096)..]);
        var at = tail.IndexOf("Code:", StringComparison.Ordinal);
        return at < 0 ? tail : tail[at..];
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.LastOrDefault() : null;
}
