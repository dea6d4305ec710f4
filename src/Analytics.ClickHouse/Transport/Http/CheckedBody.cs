using System.Net;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// A 200 answer's body that turns a failure reported after the status line into an exception. The server
/// reports it only at the end of the body (an exception header or trailer, or a tagged text), so the last
/// bytes are kept to look for it once the body ends; the read that reaches the end throws it. The bytes
/// before it were handed over already: the output as a whole has failed.
/// </summary>
internal sealed class CheckedContent : HttpContent
{
    private readonly HttpResponseMessage response;
    private readonly HttpContent inner;
    private readonly string? queryId;

    /// <summary>Takes the place of <paramref name="response"/>'s content, keeping its headers.</summary>
    public CheckedContent(HttpResponseMessage response, string? queryId)
    {
        this.response = response;
        this.queryId = queryId;
        inner = response.Content;
        foreach (var (name, values) in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(name, values);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new CheckedBody(await inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), response, queryId);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var body = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The read side of <see cref="CheckedContent"/>.</summary>
internal sealed class CheckedBody(Stream inner, HttpResponseMessage response, string? queryId) : Stream
{
    // Enough for the server's error text: its tagged form, or the 4 KB an untagged one is looked for in.
    private const int TailSize = 64 * 1024;

    private readonly byte[] tail = new byte[TailSize];
    private int tailEnd;
    private int tailFilled;
    private bool ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (ended || buffer.IsEmpty)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Seen(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (ended || buffer.IsEmpty)
        {
            return 0;
        }

        var read = inner.Read(buffer);
        Seen(buffer[..read]);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Seen(ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty)
        {
            Remember(data);
            return;
        }

        // The trailers, if the server sent any, are there once the body has been read to its end.
        ended = true;
        if (ServerAnswers.FindError(response, Tail(), queryId) is { } error)
        {
            throw error;
        }
    }

    private void Remember(ReadOnlySpan<byte> data)
    {
        if (data.Length > TailSize)
        {
            data = data[^TailSize..];
        }

        var first = Math.Min(data.Length, TailSize - tailEnd);
        data[..first].CopyTo(tail.AsSpan(tailEnd));
        data[first..].CopyTo(tail);
        tailEnd = (tailEnd + data.Length) % TailSize;
        tailFilled = Math.Min(TailSize, tailFilled + data.Length);
    }

    private byte[] Tail() => tailFilled < TailSize ? tail[..tailFilled] : [.. tail[tailEnd..], .. tail[..tailEnd]];
}
