using Analytics.ClickHouse.Transport;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// A statement's output exactly as the engine wrote it in a format of the caller's choosing
/// (<c>JSONEachRow</c>, <c>CSVWithNames</c>, <c>Parquet</c>, ...), for passing on without decoding
/// rows. The bytes may live in the embedded engine's memory: use them before disposing.
/// </summary>
public sealed class ClickHouseRawResult : IDisposable
{
    /// <summary>The size of the slices <see cref="CopyToAsync"/> writes, so that a slow reader holds back the copy.</summary>
    internal const int CopySlice = 256 * 1024;

    private readonly ResultBuffer buffer;
    private bool disposed;

    internal ClickHouseRawResult(ResultBuffer buffer, string format)
    {
        this.buffer = buffer;
        Format = format;
    }

    /// <summary>The format the engine wrote.</summary>
    public string Format { get; }

    /// <summary>The output's length in bytes.</summary>
    public long Length => buffer.Memory.Length;

    /// <summary>The output; valid until the result is disposed.</summary>
    public ReadOnlyMemory<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return buffer.Memory;
        }
    }

    /// <summary>Writes the output to <paramref name="destination"/> in slices, awaiting each write.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var data = Data;
        for (var offset = 0; offset < data.Length; offset += CopySlice)
        {
            await destination.WriteAsync(data.Slice(offset, Math.Min(CopySlice, data.Length - offset)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            buffer.Dispose();
        }
    }
}
