namespace Analytics.ClickHouse.Transport;

/// <summary>A statement's output, held in managed or engine-owned memory until disposed.</summary>
internal sealed class ResultBuffer(ReadOnlyMemory<byte> memory, ulong rowsWritten, IDisposable? owner) : IDisposable
{
    public static readonly ResultBuffer Empty = new(ReadOnlyMemory<byte>.Empty, 0, null);

    public ReadOnlyMemory<byte> Memory { get; } = memory;

    public ulong RowsWritten { get; } = rowsWritten;

    public void Dispose() => owner?.Dispose();
}
