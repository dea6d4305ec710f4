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

/// <summary>
/// The read side of <see cref="CheckedContent"/>. Where the server names an exception tag, the bytes that might
/// begin its exception block are held back until it is known whether they do, so that no byte of the error
/// text is ever handed over as data: a reader sees the data up to the failure, then the failure.
/// </summary>
internal sealed class CheckedBody : Stream
{
    // Enough for the server's error text: its tagged form, or the 4 KB an untagged one is looked for in.
    private const int TailSize = 64 * 1024;

    // A tagged block longer than this is no exception block (ClickHouse caps the message it writes there).
    private const int MaxExceptionBlock = 1024 * 1024;

    private readonly Stream inner;
    private readonly HttpResponseMessage response;
    private readonly string? queryId;
    private readonly byte[]? open;
    private readonly byte[] tail = new byte[TailSize];
    private byte[] pending = [];
    private int pendingStart;
    private int pendingEnd;
    private int safeEnd;
    private int exceptionAt = -1;
    private ClickHouseServerException? failure;
    private int tailEnd;
    private int tailFilled;
    private bool innerEnded;

    public CheckedBody(Stream inner, HttpResponseMessage response, string? queryId)
    {
        this.inner = inner;
        this.response = response;
        this.queryId = queryId;
        if (response.Headers.TryGetValues("X-ClickHouse-Exception-Tag", out var tags) && tags.LastOrDefault() is { Length: > 0 } tag)
        {
            open = System.Text.Encoding.ASCII.GetBytes("__exception__" + tag);
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (open is null)
        {
            if (innerEnded)
            {
                return 0;
            }

            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Passed(buffer.Span[..read]);
            return read;
        }

        while (safeEnd == pendingStart && !innerEnded)
        {
            var space = Room(Math.Max(buffer.Length, 16 * 1024));
            Held(await inner.ReadAsync(space, cancellationToken).ConfigureAwait(false));
        }

        return Take(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (open is null)
        {
            if (innerEnded)
            {
                return 0;
            }

            var read = inner.Read(buffer);
            Passed(buffer[..read]);
            return read;
        }

        while (safeEnd == pendingStart && !innerEnded)
        {
            var space = Room(Math.Max(buffer.Length, 16 * 1024));
            Held(inner.Read(space.Span));
        }

        return Take(buffer);
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

    // Untagged: bytes pass straight through; the last of them are kept to look for the error at the end.
    private void Passed(ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty)
        {
            Remember(data);
            return;
        }

        // The trailers, if the server sent any, are there once the body has been read to its end.
        innerEnded = true;
        if (ServerAnswers.FindError(response, Tail(), queryId) is { } error)
        {
            throw error;
        }
    }

    // Tagged: what was just read joins the held bytes; what cannot be part of an exception block is released.
    private void Held(int read)
    {
        if (read == 0)
        {
            innerEnded = true;
            Ended();
            return;
        }

        var from = Math.Max(pendingStart, pendingEnd - (open!.Length - 1));
        pendingEnd += read;
        if (exceptionAt < 0)
        {
            var found = pending.AsSpan(from, pendingEnd - from).IndexOf(open);
            if (found >= 0)
            {
                exceptionAt = from + found;
                safeEnd = exceptionAt;
            }
            else
            {
                safeEnd = Math.Max(safeEnd, pendingEnd - (open.Length - 1));
            }
        }
        else if (pendingEnd - exceptionAt > MaxExceptionBlock)
        {
            // Data that happens to hold the marker: let it go.
            exceptionAt = -1;
            safeEnd = pendingEnd - (open.Length - 1);
        }
    }

    private void Ended()
    {
        var rest = pending.AsSpan(pendingStart, pendingEnd - pendingStart);
        var error = ServerAnswers.FindError(response, rest, queryId);
        if (error is not null && exceptionAt >= 0)
        {
            // Nothing from the block on is data. The bytes before it go first; the error follows them.
            safeEnd = exceptionAt;
            pendingEnd = exceptionAt;
            failure = error;
            return;
        }

        exceptionAt = -1;
        safeEnd = pendingEnd;
        failure = error;
    }

    private int Take(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, safeEnd - pendingStart);
        if (count == 0)
        {
            if (failure is { } error)
            {
                failure = null;
                throw error;
            }

            return 0;
        }

        pending.AsSpan(pendingStart, count).CopyTo(buffer);
        pendingStart += count;
        return count;
    }

    // Free space at the end of the held bytes for a read of up to <paramref name="size"/>.
    private Memory<byte> Room(int size)
    {
        var held = pendingEnd - pendingStart;
        if (pending.Length - pendingEnd < size)
        {
            var grown = held + size <= pending.Length ? pending : new byte[Math.Max(held + size, pending.Length * 2)];
            pending.AsSpan(pendingStart, held).CopyTo(grown);
            pending = grown;
            var shift = pendingStart;
            pendingStart = 0;
            pendingEnd = held;
            safeEnd -= shift;
            if (exceptionAt >= 0)
            {
                exceptionAt -= shift;
            }
        }

        return pending.AsMemory(pendingEnd, size);
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
