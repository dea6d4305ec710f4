using System.Buffers;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>Exposes a chDB result's buffer as <see cref="Memory{T}"/> without copying it.</summary>
internal sealed unsafe class ChDbResultMemory(nint result) : MemoryManager<byte>
{
    private nint result = result;
    private readonly byte* buffer = ChDbNative.ResultBuffer(result);
    private readonly int length = checked((int)ChDbNative.ResultLength(result));

    public override Span<byte> GetSpan() => buffer == null ? [] : new Span<byte>(buffer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(buffer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        var owned = Interlocked.Exchange(ref result, 0);
        if (owned != 0)
        {
            ChDbNative.DestroyResult(owned);
        }
    }
}
