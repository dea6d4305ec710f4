namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// A server's 200 answer read as it arrives. The server reports a failure after its status line only at
/// the end of the body (an exception header or trailer, or a tagged text), so the last bytes are kept to
/// look for it once the body ends; the read that reaches the end throws it. The pieces before it were
/// handed over already: the output as a whole has failed.
/// </summary>
internal sealed class HttpResultStream : ResultStream
{
    private const int PieceSize = 256 * 1024;

    // Enough for the server's error text: its tagged form, or the 4 KB an untagged one is looked for in.
    private const int TailSize = 64 * 1024;

    private readonly HttpTransport transport;
    private readonly QueryRequest request;
    private readonly HttpResponseMessage response;
    private readonly Stream body;
    private readonly CancellationTokenSource deadline;
    private readonly byte[] piece = new byte[PieceSize];
    private readonly byte[] tail = new byte[TailSize];
    private int tailEnd;
    private int tailFilled;
    private bool ended;
    private bool disposed;

    /// <summary>Takes over the response and the statement's deadline.</summary>
    public HttpResultStream(HttpTransport transport, QueryRequest request, HttpResponseMessage response, Stream body, CancellationTokenSource deadline)
    {
        this.transport = transport;
        this.request = request;
        this.response = response;
        this.body = body;
        this.deadline = deadline;
    }

    public override async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (ended)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        int read;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken))
        {
            try
            {
                read = await body.ReadAsync(piece, linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ended = true;
                var failure = transport.Failure(ex, request, deadline, cancellationToken);
                if (failure is null)
                {
                    throw;
                }

                throw failure;
            }
        }

        if (read == 0)
        {
            // The trailers, if the server sent any, are there once the body has been read to its end.
            ended = true;
            if (HttpTransport.FindError(response, Tail(), request.QueryId) is { } error)
            {
                throw error;
            }

            return ReadOnlyMemory<byte>.Empty;
        }

        Remember(piece.AsSpan(0, read));
        return piece.AsMemory(0, read);
    }

    public override async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        body.Dispose();
        response.Dispose();
        deadline.Dispose();

        // A read statement goes on running when its answer is dropped; stop it. Disposal returns once the KILL
        // is answered: one still on its way could meet the caller's next statement under the same query id.
        if (!ended)
        {
            await transport.KillAsync(request.QueryId).ConfigureAwait(false);
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
