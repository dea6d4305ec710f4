using System.Globalization;
using System.IO.Compression;
using System.Net;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// Runs statements on a ClickHouse server through ClickHouse.Driver, the official client: it builds and sends
/// the requests (the statement, <c>param_*</c>, settings, the database, the query id, compression,
/// credentials). Around it this transport keeps what the driver leaves to its callers: a deadline per
/// statement, <c>KILL QUERY</c> for a statement given up, retries and the server's errors (in
/// <see cref="ServerAnswerHandler"/>, under the driver).
/// </summary>
internal sealed class DriverTransport : IClickHouseTransport
{
    private const string KillSql = "KILL QUERY WHERE query_id = {id:String} ASYNC";

    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient http;
    private readonly ClickHouseClient client;
    private readonly Uri server;
    private readonly bool compression;
    private readonly PendingStops stops = new();

    /// <summary>Creates a transport for a ClickHouse server.</summary>
    /// <param name="baseUrl">The HTTP interface, e.g. <c>http://localhost:8123</c>, with a path if a proxy needs one.</param>
    /// <param name="user">The user, sent as HTTP basic authentication; <c>default</c> (the server's own default user) when null.</param>
    /// <param name="password">The user's password.</param>
    /// <param name="compression">Gzip responses, statements and insert bodies.</param>
    /// <param name="handler">Replaces the socket handler under the driver (tests); the transport disposes it.</param>
    public DriverTransport(Uri baseUrl, string? user, string? password, bool compression, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        server = baseUrl;
        this.compression = compression;

        // Deadlines are per statement (see Deadline), not per client; the driver leaves a given client's alone.
        http = new HttpClient(new ServerAnswerHandler(handler ?? CreateHandler(compression))) { Timeout = Timeout.InfiniteTimeSpan };
        var settings = new ClickHouseClientSettings
        {
            Protocol = baseUrl.Scheme,
            Host = baseUrl.Host,
            Port = (ushort)baseUrl.Port,
            Path = baseUrl.AbsolutePath.Trim('/'),
            UseCompression = compression,

            // The socket handler decompresses gzip; the driver would otherwise also offer zstd and lz4.
            AcceptEncoding = compression ? "gzip" : "identity",
            HttpClient = http,
            Username = user ?? "default",
            Password = password ?? "",
        };
        client = new ClickHouseClient(settings);
    }

    /// <summary>Slack past a statement's timeout, so the server's own TIMEOUT_EXCEEDED arrives before we give up.</summary>
    internal TimeSpan TimeoutGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Blocks on <see cref="QueryAsync"/> from a pool thread, so that a captured synchronisation context cannot
    /// deadlock it. Prefer the async methods on this transport.
    /// </summary>
    public ResultBuffer Query(QueryRequest request) =>
        Task.Run(() => QueryAsync(request, CancellationToken.None)).GetAwaiter().GetResult();

    public async Task<ResultBuffer> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = Options(request, request.Format);
        cancellationToken.ThrowIfCancellationRequested();
        await stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        var statement = ServerStatement.Begin(request.QueryId, HttpRetryRules.IsReadOnly(request.Sql));
        using var deadline = Deadline(request, cancellationToken);
        try
        {
            using var raw = await client.ExecuteRawResultAsync(request.Sql, options, deadline.Token).ConfigureAwait(false);
            var body = await raw.ReadAsStreamAsync().ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                using var whole = new MemoryStream();
                await body.CopyToAsync(whole, deadline.Token).ConfigureAwait(false);
                return new ResultBuffer(whole.GetBuffer().AsMemory(0, (int)whole.Length), statement.WrittenRows, null);
            }
        }
        catch (Exception ex) when (Failure(ex, request, deadline, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Sends a read and hands its body over as it arrives, once the server has answered 200. The server's
    /// error after its status line is thrown by the read that reaches the end of the body.
    /// </summary>
    public async Task<ResultStream> QueryStreamAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = Options(request, request.Format);
        cancellationToken.ThrowIfCancellationRequested();
        await stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        ServerStatement.Begin(request.QueryId, HttpRetryRules.IsReadOnly(request.Sql));
        var deadline = Deadline(request, cancellationToken);
        ClickHouseRawResult? raw = null;
        try
        {
            raw = await client.ExecuteRawResultAsync(request.Sql, options, deadline.Token).ConfigureAwait(false);
            var body = await raw.ReadAsStreamAsync().ConfigureAwait(false);
            return new DriverResultStream(this, request, raw, body, deadline);
        }
        catch (Exception ex)
        {
            raw?.Dispose();
            var failure = Failure(ex, request, deadline, cancellationToken);
            deadline.Dispose();
            if (failure is not null)
            {
                throw failure;
            }

            throw;
        }
    }

    public async Task<ulong> InsertAsync(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(format);
        var options = Options(request, "");
        cancellationToken.ThrowIfCancellationRequested();
        await stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        var statement = ServerStatement.Begin(request.QueryId, readOnly: false);
        using var deadline = Deadline(request, cancellationToken);
        try
        {
            // The statement goes in query= and the data, as it is produced, in the body.
            using var response = await client.PostStreamAsync(
                request.Sql + " FORMAT " + format,
                (body, token) => WriteChunksAsync(body, chunks, compression, token),
                isCompressed: compression,
                deadline.Token,
                options).ConfigureAwait(false);
            return statement.WrittenRows;
        }
        catch (Exception ex) when (Failure(ex, request, deadline, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        http.Dispose();
        return ValueTask.CompletedTask;
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
                _ = stops.Track(request.QueryId, KillAsync(request.QueryId));
                return cancellationToken.IsCancellationRequested
                    ? new OperationCanceledException($"Query {request.QueryId} was cancelled.", exception, cancellationToken)
                    : new TimeoutException($"Query {request.QueryId} did not finish within {request.Timeout.TotalSeconds:0.###} s.", exception);
            case HttpRequestException or IOException:
                return new ClickHouseTransportException(
                    $"Query {request.QueryId}: the server at {server.GetLeftPart(UriPartial.Path).TrimEnd('/')} could not be reached or dropped the connection: {exception.Message}",
                    request.QueryId,
                    exception);
            default:
                return null;
        }
    }

    /// <summary>Asks the server to stop <paramref name="queryId"/>, without waiting on the answer for long.</summary>
    internal async Task KillAsync(string queryId)
    {
        var killId = Guid.NewGuid().ToString();
        ServerStatement.Begin(killId, readOnly: false);
        var options = new QueryOptions
        {
            QueryId = killId,
            CustomSettings = new Dictionary<string, object> { ["param_id"] = queryId },
        };
        try
        {
            using var timeout = new CancellationTokenSource(KillTimeout);
            using var _ = await client.ExecuteRawResultAsync(KillSql, options, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException or ClickHouseServerException)
        {
            // Best effort: the statement may have ended meanwhile, and max_execution_time still bounds it.
        }
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

    // Parameters arrive rendered as ClickHouse's parameter text (ParameterFormatter), so they travel as the
    // driver's custom settings, which it sends verbatim as URL parameters.
    private static QueryOptions Options(QueryRequest request, string format)
    {
        var settings = new Dictionary<string, object>(StringComparer.Ordinal);
        if (format.Length > 0)
        {
            settings["default_format"] = format;
        }

        foreach (var (name, value) in request.Parameters)
        {
            settings["param_" + name] = value;
        }

        foreach (var (name, value) in request.Settings)
        {
            ClickHouseSql.EnsureSettingName(name);
            settings[name] = value;
        }

        if (request.Timeout > TimeSpan.Zero && !request.Settings.ContainsKey("max_execution_time"))
        {
            settings["max_execution_time"] = Math.Ceiling(request.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return new QueryOptions
        {
            QueryId = request.QueryId,
            Database = request.Database.Length > 0 ? request.Database : null,
            CustomSettings = settings,
        };
    }

    private static async Task WriteChunksAsync(Stream body, IEnumerable<ReadOnlyMemory<byte>> chunks, bool gzip, CancellationToken cancellationToken)
    {
        if (!gzip)
        {
            await WriteAllAsync(body).ConfigureAwait(false);
            return;
        }

        // Fastest: the server is usually near, and compression must keep up with the producer. Disposing
        // writes the gzip trailer, without which the server rejects the body.
        var compressed = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true);
        await using (compressed.ConfigureAwait(false))
        {
            await WriteAllAsync(compressed).ConfigureAwait(false);
        }

        async Task WriteAllAsync(Stream target)
        {
            foreach (var chunk in chunks)
            {
                await target.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
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
}
