using System.Net.Http.Headers;
using System.Text;
using Analytics.Api.Ingestion;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>
/// Bodies are read whole, up to <c>MaxBodyBytes</c> after decompression, whether their length is
/// announced, wrong or unknown; a larger body is refused with 413 and stores nothing.
/// </summary>
public sealed class RequestBodyTests
{
    private const int Limit = 16_384;
    private AnalyticsFactory factory = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(RequestBodyTests), new()
        {
            ["Analytics:Ingestion:MaxBodyBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        client = factory.CreateClient(await factory.CreateKeyAsync("ws-body", ["ingest"]));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Test]
    public async Task ABodyOfExactlyTheLimit_IsStored()
    {
        var response = await client.PostAsync("/v1/events", Plain(Sized("exact", Limit)));

        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(LinesIn(Limit)));
        Assert.That(await StoredAsync("exact-%"), Is.EqualTo((ulong)LinesIn(Limit)));
    }

    [Test]
    public async Task ABodyOneByteOverTheLimit_Is413_AndStoresNothing()
    {
        var plain = await client.PostAsync("/v1/events", Plain(Sized("over-p", Limit + 1)));
        var unzipped = await client.PostAsync("/v1/events", Events.Gzipped(Sized("over-z", Limit + 1)));

        Assert.Multiple(() =>
        {
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(unzipped.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), "the limit holds after decompression");
        });
        Assert.That(await StoredAsync("over-%"), Is.Zero);
    }

    [Test]
    public async Task AGzippedBody_LargerThanItsGuessedSize_IsReadWhole()
    {
        // Repetitive lines compress far more than the 4x the first buffer is sized for.
        var response = await client.PostAsync("/v1/events", Events.Gzipped(Sized("zip", Limit)));

        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(LinesIn(Limit)));
    }

    [TestCase(0, Limit)]
    [TestCase(0, 1)]
    [TestCase(0, 0)]
    [TestCase(100, Limit)]
    [TestCase(Limit, Limit)]
    public async Task ABodyOfUnknownOrWrongLength_IsReadWhole_ThroughEveryGrowth(int announced, int bytes)
    {
        var content = Enumerable.Range(0, bytes).Select(i => (byte)(i * 7)).ToArray();

        using var body = await RequestBody.ReadAsync(new TrickleStream(content), announced, Limit, CancellationToken.None);

        Assert.That(body?.Memory.ToArray(), Is.EqualTo(content));
    }

    [TestCase(0)]
    [TestCase(Limit)]
    public async Task ABodyPastTheLimit_IsRefused_WhateverItsAnnouncedLength(int announced)
    {
        using var body = await RequestBody.ReadAsync(new TrickleStream(new byte[Limit + 1]), announced, Limit, CancellationToken.None);

        Assert.That(body, Is.Null);
    }

    [TestCase(100, 0, true)]
    [TestCase(100, 100, true)]
    [TestCase(100, 101, false)]
    [TestCase(1, 2, false)]
    public async Task ALimitBelowTheSmallestBuffer_HoldsToo(int limit, int bytes, bool read)
    {
        var content = new byte[bytes];

        using var body = await RequestBody.ReadAsync(new TrickleStream(content), 0, limit, CancellationToken.None);

        Assert.That(body?.Memory.Length, read ? Is.EqualTo(bytes) : Is.Null);
    }

    private const int LineBytes = 128;

    private static int LinesIn(int bytes) => bytes / LineBytes;

    /// <summary>An NDJSON body of exactly <paramref name="bytes"/> bytes: lines padded to <see cref="LineBytes"/>, the last one widened.</summary>
    private static byte[] Sized(string prefix, int bytes)
    {
        var lines = new StringBuilder();
        for (var i = 0; i < LinesIn(bytes); i++)
        {
            var line = Events.Line($"{prefix}-{i}");
            var width = i == LinesIn(bytes) - 1 ? LineBytes + (bytes % LineBytes) : LineBytes;
            lines.Append(line[..^1]).Append(' ', width - line.Length - 1).Append("}\n");
        }

        var body = Encoding.UTF8.GetBytes(lines.ToString());
        Assert.That(body, Has.Length.EqualTo(bytes), "the test builds bodies of an exact size");
        return body;
    }

    private static ByteArrayContent Plain(byte[] ndjson)
    {
        var content = new ByteArrayContent(ndjson);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        return content;
    }

    private async Task<ulong> StoredAsync(string pattern)
    {
        await using var connection = await factory.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<ulong>(
            "SELECT count() FROM events WHERE event_id LIKE {p:String}", new DynamicParameters(new { p = pattern }) { RemoveUnused = false });
    }

    /// <summary>A stream of unknown length that hands out at most 1,000 bytes per read.</summary>
    private sealed class TrickleStream(byte[] content) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = Math.Min(Math.Min(count, 1000), content.Length - position);
            content.AsSpan(position, read).CopyTo(buffer.AsSpan(offset));
            position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
