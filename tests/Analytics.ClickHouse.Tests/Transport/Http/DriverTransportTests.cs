using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Transport.Http;

namespace Analytics.ClickHouse.Tests.Transport.Http;

/// <summary>
/// The server transport (ClickHouse.Driver with our handler under it) against a scripted stand-in for the
/// server: for what a real server cannot be made to do on demand (proxy errors, refused connections,
/// mid-stream failures), and for the exact requests. These pin what the driver sends, at the version pinned in
/// Directory.Packages.props: a new version that sends otherwise fails here first.
/// </summary>
public sealed class DriverTransportTests
{
    private static readonly Uri Server = new("http://clickhouse.test:8123");

    [Test]
    public async Task Query_SendsSqlAsBodyAndEverythingElseAsUrlParameters()
    {
        var fake = new FakeServer(() => Ok("1\n"));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);
        const string tricky = "line\nquote ' backslash \\ nul \0 plus + amp & end";

        using var result = await transport.QueryAsync(
            Request("SELECT {x:String}", parameters: [new("x", tricky), new("empty", "")], settings: new() { ["max_threads"] = "2" }),
            CancellationToken.None);

        var sent = fake.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(result.Memory.Span), Is.EqualTo("1\n"));
            Assert.That(sent.Body, Is.EqualTo("SELECT {x:String}"));
            Assert.That(sent.Url.AbsolutePath, Is.EqualTo("/"));
            Assert.That(sent.Query["database"], Is.EqualTo("analytics"));
            Assert.That(sent.Query["query_id"], Is.EqualTo("q-1"));
            Assert.That(sent.Query["default_format"], Is.EqualTo("RowBinary"));
            Assert.That(sent.Query["param_x"], Is.EqualTo(tricky));
            Assert.That(sent.Query["param_empty"], Is.EqualTo(""));
            Assert.That(sent.Query["max_threads"], Is.EqualTo("2"));
            Assert.That(sent.Query["max_execution_time"], Is.EqualTo("3"), "2.5 s rounds up");
            Assert.That(sent.ContentEncoding, Is.Null);
            Assert.That(sent.Headers["Accept-Encoding"], Is.EqualTo("identity"));

            // The driver asks for compression on every request; the server compresses only what Accept-Encoding allows.
            Assert.That(sent.Query["enable_http_compression"], Is.EqualTo("true"));

            // Form encoding: a space is '+', so a '+' of the value must be escaped.
            Assert.That(sent.Url.Query, Does.Contain("%0a").And.Contain("%27").And.Contain("%5c").And.Contain("%00").And.Contain("%2b").IgnoreCase);
        });
    }

    [Test]
    public async Task Query_LetsASettingOverrideTheTimeout()
    {
        var fake = new FakeServer(() => Ok(""));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        using var _ = await transport.QueryAsync(Request(settings: new() { ["max_execution_time"] = "100" }), CancellationToken.None);

        Assert.That(fake.Requests.Single().Query.GetValues("max_execution_time"), Is.EqualTo(new[] { "100" }));
    }

    [Test]
    public async Task Query_RefusesAMalformedSettingName()
    {
        var fake = new FakeServer(() => Ok(""));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        Assert.ThrowsAsync<ArgumentException>(() => transport.QueryAsync(
            Request(settings: new() { ["readonly=0&x"] = "1" }), CancellationToken.None));
        Assert.That(fake.Requests, Is.Empty);
    }

    [Test]
    public async Task Credentials_TravelAsBasicAuthentication_AndCompressionIsGzipOnly()
    {
        var fake = new FakeServer(() => Ok(""));
        await using var transport = new DriverTransport(Server, "reader", "s3cret", compression: true, fake);

        using var _ = await transport.QueryAsync(Request(), CancellationToken.None);

        var sent = fake.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Headers["Authorization"], Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:s3cret"))));
            Assert.That(sent.Headers["Accept-Encoding"], Is.EqualTo("gzip"), "the socket handler decompresses gzip only");
            Assert.That(sent.ContentEncoding, Is.EqualTo("gzip"));
            Assert.That(sent.Body, Is.EqualTo("SELECT 1"));
            Assert.That(sent.Query["enable_http_compression"], Is.EqualTo("true"));
            Assert.That(sent.Url.Query, Does.Not.Contain("s3cret"));
        });
    }

    [Test]
    public async Task ABaseUrlWithAPath_KeepsIt()
    {
        var fake = new FakeServer(() => Ok(""));
        await using var transport = new DriverTransport(new Uri("https://proxy.test:8443/clickhouse/"), null, null, compression: false, fake);

        using var _ = await transport.QueryAsync(Request(), CancellationToken.None);

        var sent = fake.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Url.GetLeftPart(UriPartial.Path), Is.EqualTo("https://proxy.test:8443/clickhouse"));
            Assert.That(sent.Headers["Authorization"], Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("default:"))));
        });
    }

    [Test]
    public async Task ServerErrors_CarryCodeNameAndQueryId()
    {
        var fake = new FakeServer(() => Respond(
            HttpStatusCode.NotFound,
            "Code: 60. DB::Exception: Table analytics.missing does not exist. (UNKNOWN_TABLE) (version 25.3.1.1)\n",
            ("X-ClickHouse-Exception-Code", "60")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => transport.QueryAsync(Request("SELECT * FROM missing"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(60));
            Assert.That(error.ErrorName, Is.EqualTo("UNKNOWN_TABLE"));
            Assert.That(error.QueryId, Is.EqualTo("q-1"));
            Assert.That(error.Message, Does.Contain("analytics.missing does not exist"));
            Assert.That(fake.Requests, Has.Count.EqualTo(1), "a bad statement is not retried");
        });
    }

    [Test]
    public async Task AFailureAfterTheStatusLine_IsAnErrorToo()
    {
        const string message = "Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)";
        var body = $"1\n2\n__exception__T4G\r\n{message}\r\n{message.Length} T4G__exception__\r\n";
        var fake = new FakeServer(() => Respond(HttpStatusCode.OK, body, ("X-ClickHouse-Exception-Tag", "T4G")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => transport.QueryAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(241));
            Assert.That(error.Message, Is.EqualTo(message));
        });
    }

    [Test]
    public async Task ATaggedBodyWithoutAnException_IsData()
    {
        var fake = new FakeServer(() => Respond(HttpStatusCode.OK, "__exception__ is just text\n", ("X-ClickHouse-Exception-Tag", "T4G")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        using var result = await transport.QueryAsync(Request(), CancellationToken.None);

        Assert.That(Encoding.UTF8.GetString(result.Memory.Span), Is.EqualTo("__exception__ is just text\n"));
    }

    [Test]
    public async Task AStreamedAnswer_IsHandedOverAsItArrives()
    {
        var body = new ScriptedBody();
        var fake = new FakeServer(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        // Bounded waits: a transport that waited for the whole body would wait here for ever.
        await using var stream = await transport.QueryStreamAsync(Request(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        body.Send("1\n2\n");

        // A piece is valid until the next read.
        var first = Encoding.UTF8.GetString((await stream.ReadAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Span);
        body.Send("3\n");
        body.End();
        var second = Encoding.UTF8.GetString((await stream.ReadAsync(CancellationToken.None)).Span);
        var end = await stream.ReadAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("1\n2\n"), "the first piece comes before the rest of the body exists");
            Assert.That(second, Is.EqualTo("3\n"));
            Assert.That(end.IsEmpty, Is.True);
        });
    }

    [Test]
    public async Task AStreamedAnswerThatFailsPartWay_ThrowsFromTheReadThatReachesItsEnd()
    {
        const string message = "Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)";
        var body = new ScriptedBody();
        var fake = new FakeServer(() => Respond(HttpStatusCode.OK, body, ("X-ClickHouse-Exception-Tag", "T4G")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        await using var stream = await transport.QueryStreamAsync(Request(), CancellationToken.None);
        body.Send(new string('x', 100_000) + "\n");
        var first = await stream.ReadAsync(CancellationToken.None);
        body.Send($"__exception__T4G\r\n{message}\r\n{message.Length} T4G__exception__\r\n");
        body.End();

        Assert.That(first.IsEmpty, Is.False);
        var error = Assert.ThrowsAsync<ClickHouseServerException>(async () =>
        {
            while (!(await stream.ReadAsync(CancellationToken.None)).IsEmpty)
            {
            }
        });
        Assert.That(error!.ErrorCode, Is.EqualTo(241));
        Assert.That(error.Message, Is.EqualTo(message));
        Assert.That(error.QueryId, Is.EqualTo("q-1"));
    }

    [Test]
    public async Task AStreamedAnswer_WithAnExceptionTrailer_IsAnError()
    {
        var body = new ScriptedBody();
        var fake = new FakeServer(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.TrailingHeaders.TryAddWithoutValidation("X-ClickHouse-Exception-Code", "159");
            return response;
        });
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        await using var stream = await transport.QueryStreamAsync(Request(), CancellationToken.None);
        body.Send("1\n2\nCode: 159. DB::Exception: Timeout exceeded: elapsed 2.5 seconds. (TIMEOUT_EXCEEDED)\n");
        body.End();
        _ = await stream.ReadAsync(CancellationToken.None);

        var error = Assert.ThrowsAsync<ClickHouseServerException>(async () => await stream.ReadAsync(CancellationToken.None));
        Assert.That(error!.ErrorName, Is.EqualTo("TIMEOUT_EXCEEDED"));
    }

    [Test]
    public async Task AnErrorStatus_IsThrownBeforeAnyPiece()
    {
        var fake = new FakeServer(() => Respond(HttpStatusCode.NotFound, "Code: 60. DB::Exception: Table analytics.missing does not exist. (UNKNOWN_TABLE)\n"));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => transport.QueryStreamAsync(Request(), CancellationToken.None));

        Assert.That(error!.ErrorCode, Is.EqualTo(60));
    }

    [Test]
    public async Task AStreamedAnswerLeftPartWay_KillsTheQuery()
    {
        var body = new ScriptedBody();
        var killed = new TaskCompletionSource<Sent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fake = new FakeServer(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) })
        {
            OnRequest = sent =>
            {
                if (sent.Body.StartsWith("KILL", StringComparison.Ordinal))
                {
                    killed.SetResult(sent);
                }
            },
        };
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        var stream = await transport.QueryStreamAsync(Request(), CancellationToken.None);
        body.Send("1\n");
        _ = await stream.ReadAsync(CancellationToken.None);
        await stream.DisposeAsync();

        var kill = await killed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(kill.Query["param_id"], Is.EqualTo("q-1"));
    }

    [Test]
    public async Task AStatementUnderTheIdOfOneBeingKilled_IsSentOnceTheKillIsAnswered()
    {
        var answerKill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentQueue<string>();
        var fake = FakeServer.AnsweringBy(async (sent, cancellationToken) =>
        {
            if (sent.Body.StartsWith("KILL", StringComparison.Ordinal))
            {
                await answerKill.Task;
                seen.Enqueue("KILL answered");
                return Ok("");
            }

            seen.Enqueue(sent.Body);
            if (sent.Body == "SELECT sleep(3)")
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return Ok("2\n");
        });
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            Assert.ThrowsAsync<OperationCanceledException>(() => transport.QueryAsync(Request("SELECT sleep(3)"), cancel.Token));
        }

        // The same query id again while the KILL of the first is unanswered.
        var next = transport.QueryAsync(Request("SELECT 2"), CancellationToken.None);
        await Task.Delay(200);
        answerKill.SetResult();
        using var answer = await next.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(seen, Is.EqualTo(new[] { "SELECT sleep(3)", "KILL answered", "SELECT 2" }));
    }

    [Test]
    public async Task WrittenRows_ComeFromTheSummaryHeader()
    {
        var fake = new FakeServer(() => Respond(HttpStatusCode.OK, "", ("X-ClickHouse-Summary", """{"read_rows":"0","written_rows":"5","written_bytes":"40"}""")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        using var result = await transport.QueryAsync(Request("INSERT INTO t SELECT number FROM numbers(5)"), CancellationToken.None);
        var inserted = await transport.InsertAsync(Request("INSERT INTO t"), "Native", [new byte[] { 1 }], CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.RowsWritten, Is.EqualTo(5UL));
            Assert.That(inserted, Is.EqualTo(5UL));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Insert_StreamsTheChunksAsTheBody(bool compression)
    {
        var fake = new FakeServer(() => Ok(""));
        await using var transport = new DriverTransport(Server, null, null, compression, fake);
        byte[][] chunks = [Encoding.UTF8.GetBytes("first,"), [], Encoding.UTF8.GetBytes("second")];

        await transport.InsertAsync(Request("INSERT INTO t (a, b)"), "CSV", chunks.Select(c => (ReadOnlyMemory<byte>)c), CancellationToken.None);

        var sent = fake.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Query["query"], Is.EqualTo("INSERT INTO t (a, b) FORMAT CSV"));
            Assert.That(sent.ContentEncoding, Is.EqualTo(compression ? "gzip" : null));
            Assert.That(sent.Body, Is.EqualTo("first,second"));
        });
    }

    [Test]
    public async Task AReadIsRetriedAfterAnUnavailableServer()
    {
        var fake = new FakeServer((attempt, _) => Task.FromResult(attempt == 1 ? Respond(HttpStatusCode.ServiceUnavailable, "") : Ok("42\n")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        using var result = await transport.QueryAsync(Request("SELECT 42"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(result.Memory.Span), Is.EqualTo("42\n"));
            Assert.That(fake.Requests.Select(r => r.Query["query_id"]), Is.EqualTo(new[] { "q-1", "q-1" }));
        });
    }

    [Test]
    public async Task AReadGivesUpAfterTheConfiguredRetries()
    {
        var fake = new FakeServer((_, _) => Task.FromResult(Respond(HttpStatusCode.BadGateway, "")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => transport.QueryAsync(Request(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith("HTTP 502"));
            Assert.That(fake.Requests, Has.Count.EqualTo(1 + ClickHouseDefaults.HttpRetries));
        });
    }

    [Test]
    public async Task AnInsertIsNotRetriedOnceTheServerHasSeenIt()
    {
        var fake = new FakeServer((_, _) => Task.FromResult(Respond(HttpStatusCode.ServiceUnavailable, "")));
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);

        Assert.ThrowsAsync<ClickHouseServerException>(() =>
            transport.InsertAsync(Request("INSERT INTO t"), "Native", [new byte[] { 1 }], CancellationToken.None));
        Assert.ThrowsAsync<ClickHouseServerException>(() =>
            transport.QueryAsync(Request("INSERT INTO t SELECT 1"), CancellationToken.None));

        Assert.That(fake.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task AnInsertIsRetriedWhenTheConnectionWasRefused()
    {
        var fake = new FakeServer((attempt, _) => attempt == 1
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused))
            : Task.FromResult(Ok("")));
        await using var transport = new DriverTransport(Server, null, null, compression: true, fake);

        await transport.InsertAsync(Request("INSERT INTO t"), "CSV", [Encoding.UTF8.GetBytes("1\n")], CancellationToken.None);

        Assert.That(fake.Requests.Select(r => r.Body), Is.EqualTo(new[] { "1\n", "1\n" }));
    }

    [Test]
    public async Task AServerThatStaysUnreachable_IsATransportErrorWithTheQueryId()
    {
        var fake = new FakeServer((_, _) =>
            throw new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)));
        await using var transport = new DriverTransport(Server, null, null, compression: true, fake);

        var error = Assert.ThrowsAsync<ClickHouseTransportException>(() => transport.QueryAsync(Request("SELECT 1"), CancellationToken.None));

        Assert.That(error!.QueryId, Is.EqualTo(Request("SELECT 1").QueryId));
        Assert.That(error.IsTransient, Is.True);
        Assert.That(fake.Requests, Has.Count.EqualTo(ClickHouseDefaults.HttpRetries + 1), "connect failures are retried before giving up");
    }

    [Test]
    public async Task Cancellation_KillsTheQueryOnTheServer()
    {
        var killed = new TaskCompletionSource<Sent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fake = new FakeServer(async (attempt, cancellationToken) =>
        {
            if (attempt == 1)
            {
                running.SetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return Ok("");
        });
        fake.OnRequest = sent =>
        {
            if (sent.Body.StartsWith("KILL", StringComparison.Ordinal))
            {
                killed.SetResult(sent);
            }
        };
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake);
        using var cancellation = new CancellationTokenSource();

        var query = transport.QueryAsync(Request(), cancellation.Token);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        Assert.That(async () => await query, Throws.InstanceOf<OperationCanceledException>());
        var kill = await killed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(kill.Body, Is.EqualTo("KILL QUERY WHERE query_id = {id:String} ASYNC"));
            Assert.That(kill.Query["param_id"], Is.EqualTo("q-1"));
            Assert.That(kill.Query["query_id"], Is.Not.EqualTo("q-1"));
        });
    }

    [Test]
    public async Task AQueryThatOutlivesItsTimeout_FailsWithTheQueryId()
    {
        var fake = new FakeServer(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return Ok("");
        });
        await using var transport = new DriverTransport(Server, null, null, compression: false, fake) { TimeoutGrace = TimeSpan.Zero };

        var error = Assert.ThrowsAsync<TimeoutException>(() =>
            transport.QueryAsync(Request() with { Timeout = TimeSpan.FromMilliseconds(100) }, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("q-1"));
    }

    private static QueryRequest Request(
        string sql = "SELECT 1", KeyValuePair<string, string>[]? parameters = null, Dictionary<string, string>? settings = null) =>
        new(sql, "analytics", "q-1", "RowBinary", parameters ?? [], settings ?? [], TimeSpan.FromSeconds(2.5));

    private static HttpResponseMessage Ok(string body) => Respond(HttpStatusCode.OK, body);

    private static HttpResponseMessage Respond(HttpStatusCode status, string body, params (string Name, string Value)[] headers) =>
        Respond(status, new StringContent(body), headers);

    private static HttpResponseMessage Respond(HttpStatusCode status, ScriptedBody body, params (string Name, string Value)[] headers) =>
        Respond(status, new StreamContent(body), headers);

    private static HttpResponseMessage Respond(HttpStatusCode status, HttpContent content, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = content };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    /// <summary>A response body the test writes piece by piece while the client reads it.</summary>
    private sealed class ScriptedBody : Stream
    {
        private readonly System.Threading.Channels.Channel<byte[]> pieces = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
        private ReadOnlyMemory<byte> current;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Send(string text) => pieces.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

        public void End() => pieces.Writer.TryComplete();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (current.IsEmpty)
            {
                if (!await pieces.Reader.WaitToReadAsync(cancellationToken))
                {
                    return 0;
                }

                current = await pieces.Reader.ReadAsync(cancellationToken);
            }

            var count = Math.Min(buffer.Length, current.Length);
            current[..count].CopyTo(buffer);
            current = current[count..];
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>One request as the server received it, the body already decompressed.</summary>
    private sealed record Sent(Uri Url, NameValueCollection Query, Dictionary<string, string> Headers, string? ContentEncoding, string Body);

    /// <summary>Records every request and answers with a script given the attempt number (1-based).</summary>
    private sealed class FakeServer(Func<int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        private Func<Sent, CancellationToken, Task<HttpResponseMessage>>? respondTo;
        private int attempts;

        public FakeServer(Func<HttpResponseMessage> always)
            : this((_, _) => Task.FromResult(always()))
        {
        }

        /// <summary>A server that answers each request by what was sent.</summary>
        public static FakeServer AnsweringBy(Func<Sent, CancellationToken, Task<HttpResponseMessage>> respondTo) =>
            new((_, _) => throw new InvalidOperationException("This server answers by what was sent.")) { respondTo = respondTo };

        public ConcurrentQueue<Sent> Requests { get; } = new();

        public Action<Sent>? OnRequest { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var encoding = request.Content?.Headers.ContentEncoding.SingleOrDefault();
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            if (encoding == "gzip")
            {
                await using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                await gzip.CopyToAsync(plain, cancellationToken);
                body = plain.ToArray();
            }

            var sent = new Sent(
                request.RequestUri!,
                HttpUtility.ParseQueryString(request.RequestUri!.Query),
                request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
                encoding,
                Encoding.UTF8.GetString(body));
            Requests.Enqueue(sent);
            OnRequest?.Invoke(sent);
            return respondTo is null
                ? await respond(Interlocked.Increment(ref attempts), cancellationToken)
                : await respondTo(sent, cancellationToken);
        }
    }
}
