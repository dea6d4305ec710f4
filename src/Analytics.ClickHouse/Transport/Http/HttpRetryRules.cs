using System.Net.Sockets;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// Decides which failed HTTP exchanges may be sent again. A retry must never run a statement twice:
/// anything goes when nothing reached the server, and otherwise only statements that change nothing.
/// </summary>
internal static class HttpRetryRules
{
    /// <summary>UNKNOWN_STATUS_OF_INSERT: the insert may or may not have happened, so it is never retried.</summary>
    public const int UnknownStatusOfInsert = 319;

    private static readonly string[] ReadKeywords = ["SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXISTS", "EXPLAIN"];

    /// <summary>Whether the connection failed before any byte of the request was sent.</summary>
    /// <remarks>
    /// SocketsHttpHandler wraps connect failures as an <see cref="HttpRequestException"/> directly around the
    /// <see cref="SocketException"/>; failures later in the exchange put an <see cref="IOException"/> between them.
    /// </remarks>
    public static bool IsConnectFailure(Exception exception) =>
        exception is HttpRequestException { InnerException: SocketException socket }
        && socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain
            or SocketError.NoData or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown
            or SocketError.AddressNotAvailable or SocketError.TimedOut;

    /// <summary>Whether a failed response of a statement is worth sending again.</summary>
    /// <param name="httpStatus">The response status.</param>
    /// <param name="errorCode">The <c>X-ClickHouse-Exception-Code</c> header, when present.</param>
    /// <param name="readOnly">Whether the statement changes nothing (see <see cref="IsReadOnly"/>).</param>
    public static bool ShouldRetry(int httpStatus, int? errorCode, bool readOnly)
    {
        // The server saw the request, so it may have acted on it: only reads are safe to repeat.
        if (!readOnly || httpStatus is >= 200 and < 300 || errorCode == UnknownStatusOfInsert)
        {
            return false;
        }

        return httpStatus is 502 or 503 or 504 || (errorCode is { } code && IsTransientCode(code));
    }

    /// <summary>ClickHouse error codes that describe a busy or briefly unreachable server rather than a bad statement.</summary>
    public static bool IsTransientCode(int code) => code is
        202 // TOO_MANY_SIMULTANEOUS_QUERIES
        or 209 // SOCKET_TIMEOUT
        or 210 // NETWORK_ERROR
        or 216 // QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING: an earlier attempt of this very read still runs
        or 242; // TABLE_IS_READ_ONLY: a replica lost its Keeper session for a moment

    /// <summary>Whether <paramref name="sql"/> only reads: it starts, after comments, with a read keyword.</summary>
    public static bool IsReadOnly(string sql)
    {
        var rest = SkipTrivia(sql.AsSpan());
        foreach (var keyword in ReadKeywords)
        {
            if (rest.StartsWith(keyword, StringComparison.OrdinalIgnoreCase)
                && (rest.Length == keyword.Length || !IsWordChar(rest[keyword.Length])))
            {
                return true;
            }
        }

        return false;
    }

    // Skips whitespace, comments (--, #, /* */) and opening parentheses of a bracketed SELECT.
    private static ReadOnlySpan<char> SkipTrivia(ReadOnlySpan<char> text)
    {
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("--", StringComparison.Ordinal) || text.StartsWith('#'))
            {
                var end = text.IndexOf('\n');
                text = end < 0 ? [] : text[(end + 1)..];
            }
            else if (text.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = text[2..].IndexOf("*/", StringComparison.Ordinal);
                text = end < 0 ? [] : text[(end + 4)..];
            }
            else if (text.StartsWith('('))
            {
                text = text[1..];
            }
            else
            {
                return text;
            }
        }
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
