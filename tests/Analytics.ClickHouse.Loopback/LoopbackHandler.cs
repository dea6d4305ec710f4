using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Transport.Http;
using Microsoft.AspNetCore.Http;

namespace Analytics.ClickHouse.Loopback;

/// <summary>Answers one request of ClickHouse's HTTP interface from the embedded engine.</summary>
internal sealed class LoopbackHandler(LoopbackServer server)
{
    // URL parameters the interface itself takes; every other one is a setting of the statement.
    private static readonly HashSet<string> InterfaceParameters = new(StringComparer.Ordinal)
    {
        "query", "database", "default_format", "query_id", "user", "password", "quota_key", "session_id",
        "session_timeout", "session_check", "compress", "decompress", "buffer_size", "wait_end_of_query",
        "enable_http_compression", "role", "stacktrace", "client_protocol_version", "default_session_timeout",
    };

    /// <summary>A server's default <c>http_max_uri_size</c>.</summary>
    internal const int MaxUriSize = 1024 * 1024;

    /// <summary>A server's default <c>http_max_field_value_size</c>: the longest value a parameter may have.</summary>
    internal const int MaxFieldValueSize = 128 * 1024;

    private readonly ConcurrentDictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path is "/ping")
        {
            await WriteTextAsync(http, 200, "Ok.\n").ConfigureAwait(false);
            return;
        }

        if (path is not "/")
        {
            await WriteTextAsync(http, 404, $"There is no handle {path}\n").ConfigureAwait(false);
            return;
        }

        var url = http.Request.Query.ToDictionary(p => p.Key, p => p.Value.LastOrDefault() ?? "", StringComparer.Ordinal);
        byte[] body;
        try
        {
            body = await ReadBodyAsync(http, url).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            await WriteErrorAsync(http, url, 400, 432, $"Cannot decompress the request body: {ex.Message}", "CANNOT_DECOMPRESS").ConfigureAwait(false);
            return;
        }
        catch (NotSupportedException ex)
        {
            await WriteErrorAsync(http, url, 501, 48, ex.Message, "NOT_IMPLEMENTED").ConfigureAwait(false);
            return;
        }

        if (url.FirstOrDefault(p => p.Value.Length > MaxFieldValueSize) is { Key: { } tooLong })
        {
            await WriteErrorAsync(http, url, 400, 36, $"Field value for field '{tooLong}' is too long (http_max_field_value_size is {MaxFieldValueSize})", "BAD_ARGUMENTS").ConfigureAwait(false);
            return;
        }

        var queryText = url.GetValueOrDefault("query", "");
        if (queryText.Length == 0 && body.Length == 0)
        {
            await WriteTextAsync(http, 200, "Ok.\n").ConfigureAwait(false);
            return;
        }

        if (!Authenticated(http, url))
        {
            await WriteErrorAsync(http, url, 403, 516, $"{UserOf(http, url) ?? "default"}: Authentication failed: password is incorrect, or there is no user with such name", "AUTHENTICATION_FAILED").ConfigureAwait(false);
            return;
        }

        var parameters = url.Where(p => p.Key.StartsWith("param_", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["param_".Length..], p => p.Value, StringComparer.Ordinal);
        var (statement, sql, data) = Split(queryText, body, parameters);
        var request = new LoopbackRequest(
            http.Request.Method,
            path,
            url,
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            sql,
            data.Length);

        var fault = server.Receive(request);
        switch (fault)
        {
            case LoopbackFault.Fail fail:
                await WriteFaultAsync(http, url, fail).ConfigureAwait(false);
                return;
            case LoopbackFault.Reset:
                http.Abort();
                return;
            case LoopbackFault.Slow slow:
                try
                {
                    await Task.Delay(slow.Delay, http.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                break;
        }

        if (statement is Statement.Kill kill)
        {
            if (running.TryGetValue(kill.QueryId, out var victim))
            {
                await victim.CancelAsync().ConfigureAwait(false);
            }

            await WriteTextAsync(http, 200, "").ConfigureAwait(false);
            return;
        }

        var queryId = url.GetValueOrDefault("query_id") is { Length: > 0 } id ? id : Guid.NewGuid().ToString();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (!running.TryAdd(queryId, stop))
        {
            await WriteErrorAsync(http, url, 500, 216, $"Query with id = {queryId} is already running", "QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING").ConfigureAwait(false);
            return;
        }

        try
        {
            var settings = url.Where(p => !InterfaceParameters.Contains(p.Key) && !p.Key.StartsWith("param_", StringComparison.Ordinal))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var database = url.GetValueOrDefault("database") ?? http.Request.Headers["X-ClickHouse-Database"].LastOrDefault() ?? "default";
            var format = statement is Statement.Query { Format: { } named } ? named : url.GetValueOrDefault("default_format", "TabSeparated");
            var query = new QueryRequest(sql, database, queryId, format, [.. parameters], settings, TimeSpan.Zero);
            http.Response.Headers["X-ClickHouse-Query-Id"] = queryId;
            http.Response.Headers["X-ClickHouse-Timezone"] = "UTC";
            http.Response.Headers["X-ClickHouse-Server-Display-Name"] = "loopback";

            if (statement is Statement.Insert insert)
            {
                await InsertAsync(http, url, query, insert.Format, data, fault, stop.Token).ConfigureAwait(false);
            }
            else
            {
                await QueryAsync(http, url, query, fault, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left, or a KILL QUERY for this id came: the engine stopped the statement.
            http.Abort();
        }
        finally
        {
            running.TryRemove(queryId, out _);
        }
    }

    private async Task InsertAsync(
        HttpContext http, Dictionary<string, string> url, QueryRequest query, string format, ReadOnlyMemory<byte> data, LoopbackFault? fault, CancellationToken cancellationToken)
    {
        ulong rows;
        try
        {
            rows = await server.Transport.InsertAsync(query, format, [data], cancellationToken).ConfigureAwait(false);
        }
        catch (ClickHouseServerException ex)
        {
            await WriteErrorAsync(http, url, ex).ConfigureAwait(false);
            return;
        }

        if (fault is LoopbackFault.ResetAfterRunning reset)
        {
            reset.Then?.Invoke();
            http.Abort();
            return;
        }

        http.Response.Headers["X-ClickHouse-Summary"] = Summary(rows);
        await WriteTextAsync(http, 200, "").ConfigureAwait(false);
    }

    private async Task QueryAsync(HttpContext http, Dictionary<string, string> url, QueryRequest query, LoopbackFault? fault, CancellationToken cancellationToken)
    {
        // Reads stream as the engine produces them; anything else runs whole (the engine streams reads only).
        ResultStream result;
        ReadOnlyMemory<byte> first;
        ulong written = 0;
        try
        {
            if (HttpRetryRules.IsReadOnly(query.Sql))
            {
                result = await server.Transport.QueryStreamAsync(query, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var whole = await server.Transport.QueryAsync(query, cancellationToken).ConfigureAwait(false);
                written = whole.RowsWritten;
                result = new WholeResultStream(whole);
            }
        }
        catch (ClickHouseServerException ex)
        {
            await WriteErrorAsync(http, url, ex).ConfigureAwait(false);
            return;
        }

        await using (result.ConfigureAwait(false))
        {
            // A statement that fails before its first block fails before the status line, as on a server.
            try
            {
                first = await result.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ClickHouseServerException ex)
            {
                await WriteErrorAsync(http, url, ex).ConfigureAwait(false);
                return;
            }

            if (fault is LoopbackFault.ResetAfterRunning reset)
            {
                reset.Then?.Invoke();
                http.Abort();
                return;
            }

            var tag = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz", 16);
            http.Response.StatusCode = 200;
            http.Response.Headers["X-ClickHouse-Format"] = query.Format;
            http.Response.Headers["X-ClickHouse-Exception-Tag"] = tag;
            http.Response.Headers["X-ClickHouse-Summary"] = Summary(written);
            http.Response.ContentType = ContentType(query.Format);
            var output = OpenOutput(http, url);
            await using (output.ConfigureAwait(false))
            {
                var budget = fault is LoopbackFault.FailMidStream mid ? mid.AfterBytes : int.MaxValue;
                for (var piece = first; !piece.IsEmpty;)
                {
                    if (piece.Length >= budget)
                    {
                        var injected = (LoopbackFault.FailMidStream)fault!;
                        await output.WriteAsync(piece[..budget], cancellationToken).ConfigureAwait(false);
                        await WriteTaggedAsync(output, tag, $"Code: {injected.Code}. DB::Exception: {injected.Message}. (INJECTED)").ConfigureAwait(false);
                        return;
                    }

                    budget -= piece.Length;
                    await output.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        piece = await result.ReadAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (ClickHouseServerException ex)
                    {
                        await WriteTaggedAsync(output, tag, ex.Message).ConfigureAwait(false);
                        return;
                    }
                }
            }
        }
    }

    // The query parameter and the body make one text: the statement, and for an INSERT its data after it.
    private static (Statement Statement, string Sql, ReadOnlyMemory<byte> Data) Split(string queryText, byte[] body, IReadOnlyDictionary<string, string> parameters)
    {
        if (queryText.Length > 0)
        {
            var alone = Statement.Parse(queryText, parameters);
            if (alone is Statement.Insert insert && insert.DataStart >= queryText.Length)
            {
                return (insert, insert.Sql, body);
            }

            if (body.Length == 0)
            {
                return alone is Statement.Insert inline
                    ? (inline, inline.Sql, Encoding.UTF8.GetBytes(queryText[inline.DataStart..]))
                    : (alone, alone is Statement.Query q ? q.Sql : queryText, ReadOnlyMemory<byte>.Empty);
            }

            body = [.. Encoding.UTF8.GetBytes(queryText + "\n"), .. body];
        }

        // Latin-1 keeps one character a byte, so an offset in the text is one in the body.
        var text = Encoding.Latin1.GetString(body);
        var statement = Statement.Parse(text, parameters);
        if (statement is Statement.Insert found)
        {
            var sql = Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(found.Sql));
            return (found with { Sql = sql }, sql, body.AsMemory(found.DataStart));
        }

        var whole = Statement.Parse(Encoding.UTF8.GetString(body), parameters);
        return (whole, whole is Statement.Query query ? query.Sql : Encoding.UTF8.GetString(body), ReadOnlyMemory<byte>.Empty);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http, Dictionary<string, string> url)
    {
        var request = http.Request;
        if (request.HasFormContentType)
        {
            // Form data carries the query and its parameters as fields (a long parameter does not fit a URL).
            var form = await request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            foreach (var (name, value) in form)
            {
                url[name] = value.LastOrDefault() ?? "";
            }

            return [];
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        using var buffer = new MemoryStream();
        Stream input = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new NotSupportedException($"Content-Encoding '{encoding}' is not supported by this server (gzip, deflate and br are)."),
        };
        await using (input.ConfigureAwait(false))
        {
            await input.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        }

        if (url.GetValueOrDefault("decompress") == "1")
        {
            throw new NotSupportedException("decompress=1 (ClickHouse's own block compression) is not supported by this server.");
        }

        return buffer.ToArray();
    }

    private bool Authenticated(HttpContext http, Dictionary<string, string> url)
    {
        if (server.Options.User is null)
        {
            return true;
        }

        var headers = http.Request.Headers;
        var (user, password) = (UserOf(http, url), headers["X-ClickHouse-Key"].LastOrDefault() ?? url.GetValueOrDefault("password"));
        if (AuthenticationHeaderValue.TryParse(headers.Authorization, out var auth) && auth.Scheme == "Basic" && auth.Parameter is { } encoded)
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2);
            (user, password) = (pair[0], pair.Length > 1 ? pair[1] : "");
        }

        return user == server.Options.User && (password ?? "") == (server.Options.Password ?? "");
    }

    private static string? UserOf(HttpContext http, Dictionary<string, string> url) =>
        http.Request.Headers["X-ClickHouse-User"].LastOrDefault() ?? url.GetValueOrDefault("user");

    // The body is gzipped when the statement asks for it (enable_http_compression=1) and the client takes gzip.
    private static Stream OpenOutput(HttpContext http, Dictionary<string, string> url)
    {
        if (url.GetValueOrDefault("enable_http_compression") is "1" or "true" && http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.ContentEncoding = "gzip";
            return new GZipStream(http.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
        }

        return new NonClosing(http.Response.Body);
    }

    // A failure after the status line: ClickHouse 25.11+ ends the body with the error between two tag marks.
    private static async Task WriteTaggedAsync(Stream output, string tag, string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var block = $"__exception__{tag}\r\n{message}\r\n{text.Length} {tag}__exception__\r\n";
        await output.WriteAsync(Encoding.UTF8.GetBytes(block)).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext http, Dictionary<string, string> url, ClickHouseServerException error) =>
        WriteErrorAsync(http, url, ErrorStatus.Of(error.ErrorName), error.ErrorCode, error.Message, name: null);

    private static Task WriteFaultAsync(HttpContext http, Dictionary<string, string> url, LoopbackFault.Fail fail) =>
        fail.Code is { } code
            ? WriteErrorAsync(http, url, fail.Status, code, fail.Message, "INJECTED")
            : WriteTextAsync(http, fail.Status, fail.Message + "\n");

    private static async Task WriteErrorAsync(HttpContext http, Dictionary<string, string> url, int status, int code, string message, string? name)
    {
        var text = message.StartsWith("Code:", StringComparison.Ordinal) ? message : $"Code: {code}. DB::Exception: {message}. ({name})";
        http.Response.Headers["X-ClickHouse-Exception-Code"] = code.ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=UTF-8";
        var output = OpenOutput(http, url);
        await using (output.ConfigureAwait(false))
        {
            await output.WriteAsync(Encoding.UTF8.GetBytes(text.TrimEnd() + "\n")).ConfigureAwait(false);
        }
    }

    private static async Task WriteTextAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=UTF-8";
        await http.Response.WriteAsync(text).ConfigureAwait(false);
    }

    // X-ClickHouse-Summary: JSON, every number as a string.
    private static string Summary(ulong writtenRows) =>
        $"{{\"read_rows\":\"0\",\"read_bytes\":\"0\",\"written_rows\":\"{writtenRows}\",\"written_bytes\":\"0\",\"total_rows_to_read\":\"0\",\"result_rows\":\"0\",\"result_bytes\":\"0\"}}";

    private static string ContentType(string format) => format switch
    {
        _ when format.StartsWith("JSON", StringComparison.OrdinalIgnoreCase) => "application/json; charset=UTF-8",
        _ when format.StartsWith("TabSeparated", StringComparison.OrdinalIgnoreCase) || format.StartsWith("TSV", StringComparison.OrdinalIgnoreCase) => "text/tab-separated-values; charset=UTF-8",
        _ when format.StartsWith("CSV", StringComparison.OrdinalIgnoreCase) => "text/csv; charset=UTF-8",
        _ => "application/octet-stream",
    };

    /// <summary>The response body, which the server closes itself.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
