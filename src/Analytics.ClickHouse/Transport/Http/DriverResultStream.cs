using ClickHouse.Driver.ADO;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// A server's 200 answer read through the driver as it arrives, in pieces of up to 256 KB. A failure the
/// server reports at the end of the body is thrown by the read that reaches it (<see cref="CheckedBody"/>).
/// </summary>
internal sealed class DriverResultStream(DriverTransport transport, QueryRequest request, ClickHouseRawResult raw, Stream body, CancellationTokenSource deadline)
    : ResultStream
{
    private const int PieceSize = 256 * 1024;

    private readonly byte[] piece = new byte[PieceSize];
    private bool ended;
    private bool disposed;

    public override async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (ended)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            var read = await body.ReadAsync(piece, linked.Token).ConfigureAwait(false);
            ended = read == 0;
            return piece.AsMemory(0, read);
        }
        catch (Exception ex)
        {
            ended = true;
            if (transport.Failure(ex, request, deadline, cancellationToken) is { } failure)
            {
                throw failure;
            }

            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await body.DisposeAsync().ConfigureAwait(false);
        raw.Dispose();
        deadline.Dispose();

        // A read statement goes on running when its answer is dropped; stop it. Disposal returns once the KILL
        // is answered: one still on its way could meet the caller's next statement under the same query id.
        if (!ended)
        {
            await transport.KillAsync(request.QueryId).ConfigureAwait(false);
        }
    }
}
