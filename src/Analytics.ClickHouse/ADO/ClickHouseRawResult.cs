using Analytics.ClickHouse.Transport;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// A statement's output exactly as the engine writes it, in a format of the caller's choosing
/// (<c>JSONEachRow</c>, <c>CSVWithNames</c>, <c>Parquet</c>, ...), for passing on without decoding rows.
/// The output is handed over as it is produced: a server's answer as it arrives, the embedded engine's row
/// formats block by block (other formats whole), so an output of any size costs the memory of a piece. A
/// statement keeps its engine session, or its server connection, until the result is disposed.
/// </summary>
public sealed class ClickHouseRawResult : IAsyncDisposable, IDisposable
{
    /// <summary>The most <see cref="CopyToAsync"/> writes at once, so that a slow reader holds back the copy.</summary>
    internal const int CopySlice = 256 * 1024;

    private readonly ResultStream stream;
    private ReadOnlyMemory<byte> first;
    private bool disposed;

    internal ClickHouseRawResult(ResultStream stream, string format, ReadOnlyMemory<byte> first)
    {
        this.stream = stream;
        this.first = first;
        Format = format;
    }

    /// <summary>The format the engine writes.</summary>
    public string Format { get; }

    /// <summary>
    /// The next piece of the output, valid until the next read or disposal; empty once the output is complete.
    /// </summary>
    /// <exception cref="ClickHouseServerException">The statement failed part way through its output.</exception>
    public ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!first.IsEmpty)
        {
            var piece = first;
            first = default;
            return ValueTask.FromResult(piece);
        }

        return stream.ReadAsync(cancellationToken);
    }

    /// <summary>Writes the rest of the output to <paramref name="destination"/>, awaiting each write.</summary>
    /// <exception cref="ClickHouseServerException">The statement failed part way; what came before it was written.</exception>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        for (var piece = await ReadAsync(cancellationToken).ConfigureAwait(false); !piece.IsEmpty; piece = await ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var offset = 0; offset < piece.Length; offset += CopySlice)
            {
                await destination.WriteAsync(piece.Slice(offset, Math.Min(CopySlice, piece.Length - offset)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The rest of the output in one array; for outputs known to be small.</summary>
    public async Task<byte[]> ReadAllBytesAsync(CancellationToken cancellationToken = default)
    {
        using var all = new MemoryStream();
        await CopyToAsync(all, cancellationToken).ConfigureAwait(false);
        return all.ToArray();
    }

    /// <summary>Releases the output and the engine session; a statement not read to its end is stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            disposed = true;
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The same as <see cref="DisposeAsync"/>, blocking until the engine has let the statement go.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
