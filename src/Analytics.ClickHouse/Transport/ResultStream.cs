namespace Analytics.ClickHouse.Transport;

/// <summary>
/// A statement's output handed over piece by piece, in order, as the engine produces it. A piece is
/// valid until the next read or disposal. Disposing before the end stops the statement, and returns once
/// the stop has been sent and answered.
/// </summary>
internal abstract class ResultStream : IAsyncDisposable
{
    /// <summary>The next piece of output, never empty; empty only once the output is complete.</summary>
    /// <exception cref="ClickHouseServerException">The statement failed part way.</exception>
    public abstract ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>An output that arrived whole, handed over as one piece.</summary>
internal sealed class WholeResultStream(ResultBuffer buffer) : ResultStream
{
    private bool read;

    public override ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        var piece = read ? ReadOnlyMemory<byte>.Empty : buffer.Memory;
        read = true;
        return ValueTask.FromResult(piece);
    }

    public override ValueTask DisposeAsync()
    {
        buffer.Dispose();
        return ValueTask.CompletedTask;
    }
}
