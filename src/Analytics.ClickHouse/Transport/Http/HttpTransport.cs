using System.Collections.ObjectModel;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// Runs statements on a ClickHouse server through its HTTP interface: the statement in the body (or, for
/// inserts, in <c>query=</c> with the data as the body), parameters as <c>param_*</c>, settings as URL parameters.
/// </summary>
internal sealed class HttpTransport : IClickHouseTransport
{
    private const string ExceptionCodeHeader = "X-ClickHouse-Exception-Code";
    private const string KillSql = "KILL QUERY WHERE query_id = {id:String} ASYNC";

    private static readonly ResiliencePropertyKey<bool> ReadOnlyKey = new("clickhouse.read-only");
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _client;
    private readonly string _endpoint;
    private readonly bool _compression;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly PendingStops _stops = new();

    /// <summary>Creates a transport for a ClickHouse server.</summary>
    /// <param name="baseUrl">The HTTP interface, e.g. <c>http://localhost:8123</c>.</param>
    /// <param name="user">Sent as <c>X-ClickHouse-User</c> when set.</param>
    /// <param name="password">Sent as <c>X-ClickHouse-Key</c> when set.</param>
    /// <param name="compression">Gzip responses and insert bodies.</param>
    /// <param name="handler">Replaces the default socket handler (tests); the transport disposes it.</param>
    public HttpTransport(Uri baseUrl, string? user, string? password, bool compression, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _endpoint = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/?";
        _compression = compression;

        // Deadlines are per statement (see ExchangeAsync), not per client.
        _client = new HttpClient(handler ?? CreateHandler(compression)) { Timeout = Timeout.InfiniteTimeSpan };
        if (user is not null)
        {
            _client.DefaultRequestHeaders.TryAddWithoutValidation("X-ClickHouse-User", user);
        }

        if (password is not null)
        {
            _client.DefaultRequestHeaders.TryAddWithoutValidation("X-ClickHouse-Key", password);
        }

        if (compression)
        {
            _client.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = ClickHouseDefaults.HttpRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: { } exception } => HttpRetryRules.IsConnectFailure(exception),
                    { Result: { } response } => HttpRetryRules.ShouldRetry(
                        (int)response.StatusCode,
                        HeaderInt(response.Headers, ExceptionCodeHeader),
                        args.Context.Properties.GetValue(ReadOnlyKey, false)),
                    _ => false,
                }),
            })
            .Build();
    }

    /// <summary>Slack past a statement's timeout, so the server's own TIMEOUT_EXCEEDED arrives before we give up.</summary>
    internal TimeSpan TimeoutGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Blocks on <see cref="QueryAsync"/> from a pool thread: the retry pipeline is asynchronous, and
    /// running it off the caller's thread keeps a captured synchronisation context from deadlocking.
    /// Prefer the async methods on this transport.
    /// </summary>
    public ResultBuffer Query(QueryRequest request) =>
        Task.Run(() => QueryAsync(request, CancellationToken.None)).GetAwaiter().GetResult();

    public async Task<ResultBuffer> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sql = Encoding.UTF8.GetBytes(request.Sql);
        var (body, written) = await ExchangeAsync(
            request, BuildUrl(request, query: null), HttpRetryRules.IsReadOnly(request.Sql), () => new ByteArrayContent(sql), cancellationToken)
            .ConfigureAwait(false);
        return new ResultBuffer(body, written, null);
    }

    public async Task<ulong> InsertAsync(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(format);
        var url = BuildUrl(request, request.Sql + " FORMAT " + format);
        var (_, written) = await ExchangeAsync(request, url, readOnly: false, () => new ChunkedContent(chunks, _compression), cancellationToken)
            .ConfigureAwait(false);
        return written;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static SocketsHttpHandler CreateHandler(bool compression) => new()
    {
        AutomaticDecompression = compression ? DecompressionMethods.GZip : DecompressionMethods.None,

        // ClickHouse drops idle keep-alive connections after a few seconds (keep_alive_timeout); letting go
        // sooner avoids writing a statement into a connection the server is closing.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),

        // Picks up DNS changes, e.g. a server behind a load balancer being replaced.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    private async Task<(byte[] Body, ulong Written)> ExchangeAsync(
        QueryRequest request, string url, bool readOnly, Func<HttpContent> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        using var deadline = Deadline(request, cancellationToken);
        try
        {
            using var response = await SendAsync(new Uri(url), readOnly, content, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (FindError(response, body, request.QueryId) is { } error)
            {
                throw error;
            }

            return (body, WrittenRows(response));
        }
        catch (Exception ex)
        {
            var failure = Failure(ex, request, deadline, cancellationToken);
            if (failure is null)
            {
                throw;
            }

            throw failure;
        }
    }

    /// <summary>
    /// Sends a read and hands its body over as it arrives, once the server has answered 200. The server's
    /// error after its status line (an exception header or trailer, or a tagged text at the end) is thrown
    /// by the read that reaches the end of the body.
    /// </summary>
    public async Task<ResultStream> QueryStreamAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        await _stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        var sql = Encoding.UTF8.GetBytes(request.Sql);
        var deadline = Deadline(request, cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(new Uri(BuildUrl(request, query: null)), HttpRetryRules.IsReadOnly(request.Sql), () => new ByteArrayContent(sql), deadline.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                throw FindError(response, body, request.QueryId)!;
            }

            var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            return new HttpResultStream(this, request, response, stream, deadline);
        }
        catch (Exception ex)
        {
            response?.Dispose();
            var failure = Failure(ex, request, deadline, cancellationToken);
            deadline.Dispose();
            if (failure is not null)
            {
                throw failure;
            }

            throw;
        }
    }

    /// <summary>The statement's own time limit with slack, or the caller's cancellation, whichever comes first.</summary>
    private CancellationTokenSource Deadline(QueryRequest request, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = request.Timeout + TimeoutGrace;
        if (request.Timeout > TimeSpan.Zero && limit.TotalMilliseconds < int.MaxValue)
        {
            deadline.CancelAfter(limit);
        }

        return deadline;
    }

    /// <summary>
    /// What a failure while sending a statement or reading its answer is to the caller: a cancellation or a
    /// timeout (the statement is then killed on the server), a transport error, or null for itself.
    /// </summary>
    internal Exception? Failure(Exception exception, QueryRequest request, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case OperationCanceledException when deadline.IsCancellationRequested || cancellationToken.IsCancellationRequested:
                // Dropping the connection may not stop the statement (inserts, ASYNC work); ask the server
                // explicitly, without making the caller wait for the answer (a statement under the same id does).
                _ = _stops.Track(request.QueryId, KillAsync(request.QueryId));
                return cancellationToken.IsCancellationRequested
                    ? new OperationCanceledException($"Query {request.QueryId} was cancelled.", exception, cancellationToken)
                    : new TimeoutException($"Query {request.QueryId} did not finish within {request.Timeout.TotalSeconds:0.###} s.", exception);
            case HttpRequestException or IOException:
                return new ClickHouseTransportException(
                    $"Query {request.QueryId}: the server at {_endpoint.TrimEnd('?')} could not be reached or dropped the connection: {exception.Message}",
                    request.QueryId,
                    exception);
            default:
                return null;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, bool readOnly, Func<HttpContent> content, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ReadOnlyKey, readOnly);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (context, state) =>
                {
                    // A request message can be sent only once, so every attempt builds its own.
                    using var message = new HttpRequestMessage(HttpMethod.Post, state.url) { Content = state.content() };
                    return await state._client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken)
                        .ConfigureAwait(false);
                },
                context,
                (_client, url, content)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Asks the server to stop <paramref name="queryId"/>, without waiting on the answer for long.</summary>
    internal async Task KillAsync(string queryId)
    {
        var kill = new QueryRequest(KillSql, "", Guid.NewGuid().ToString(), "", [new("id", queryId)], ReadOnlyDictionary<string, string>.Empty, TimeSpan.Zero);
        try
        {
            using var timeout = new CancellationTokenSource(KillTimeout);
            using var message = new HttpRequestMessage(HttpMethod.Post, BuildUrl(kill, query: null))
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(KillSql)),
            };
            using var response = await _client.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the statement may have ended meanwhile, and max_execution_time still bounds it.
        }
    }

    private string BuildUrl(QueryRequest request, string? query)
    {
        var url = new StringBuilder(_endpoint);
        if (request.Database.Length > 0)
        {
            Append(url, "database", request.Database);
        }

        Append(url, "query_id", request.QueryId);
        if (request.Format.Length > 0)
        {
            Append(url, "default_format", request.Format);
        }

        if (query is not null)
        {
            Append(url, "query", query);
        }

        if (_compression)
        {
            Append(url, "enable_http_compression", "1");
        }

        foreach (var (name, value) in request.Parameters)
        {
            Append(url, "param_" + name, value);
        }

        foreach (var (name, value) in request.Settings)
        {
            ClickHouseSql.EnsureSettingName(name);
            Append(url, name, value);
        }

        if (request.Timeout > TimeSpan.Zero && !request.Settings.ContainsKey("max_execution_time"))
        {
            Append(url, "max_execution_time", Math.Ceiling(request.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }

        return url.ToString();

        static void Append(StringBuilder url, string name, string value) =>
            url.Append(url[^1] == '?' ? "" : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
    }

    // The server's error, if the response carries one. On a 200 the status line went out before the
    // statement failed, so the error shows as an exception code header/trailer or a tagged text at the end.
    // The body may be only its end (a streamed answer's last bytes): the error text is there.
    internal static ClickHouseServerException? FindError(HttpResponseMessage response, byte[] body, string queryId)
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

    // ClickHouse 25.11+ names a per-response tag in X-ClickHouse-Exception-Tag and ends a body that failed
    // mid-stream with "__exception__TAG\r\n<message>\r\n<length> TAG__exception__\r\n".
    private static string? TaggedMessage(HttpResponseMessage response, byte[] body)
    {
        if (Header(response.Headers, "X-ClickHouse-Exception-Tag") is not { Length: > 0 } tag)
        {
            return null;
        }

        var close = Encoding.ASCII.GetBytes(tag + "__exception__");
        var open = Encoding.ASCII.GetBytes("__exception__" + tag);
        var span = body.AsSpan().TrimEnd("\r\n"u8);
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
    private static string TailMessage(byte[] body)
    {
        var tail = Encoding.UTF8.GetString(body.AsSpan(Math.Max(0, body.Length - 4096)));
        var at = tail.IndexOf("Code:", StringComparison.Ordinal);
        return at < 0 ? tail : tail[at..];
    }

    // X-ClickHouse-Summary is JSON with numbers as strings: {"read_rows":"0",...,"written_rows":"5",...}.
    private static ulong WrittenRows(HttpResponseMessage response)
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

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.LastOrDefault() : null;

    private static int? HeaderInt(HttpHeaders headers, string name) =>
        int.TryParse(Header(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
}
