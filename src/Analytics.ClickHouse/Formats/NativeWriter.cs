using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.ClickHouse.Formats;

/// <summary>
/// An append-only little-endian buffer for Native blocks, on arrays rented from the shared pool so
/// that repeated inserts reuse memory instead of growing a fresh buffer each time.
/// </summary>
internal sealed class NativeWriter(int initialCapacity = 64 * 1024) : IBufferWriter<byte>, IDisposable
{
    private byte[] array = ArrayPool<byte>.Shared.Rent(initialCapacity);
    private int written;

    public ReadOnlyMemory<byte> WrittenMemory => array.AsMemory(0, written);

    public int Length => written;

    public void Clear() => written = 0;

    public void Advance(int count) => written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsSpan(written);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(array);
        array = [];
        written = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int sizeHint)
    {
        if (array.Length - written < Math.Max(sizeHint, 1))
        {
            Grow(sizeHint);
        }
    }

    private void Grow(int sizeHint)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, written + Math.Max(sizeHint, 1)));
        array.AsSpan(0, written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(array);
        array = bigger;
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Advance(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(T value)
        where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        MemoryMarshal.Write(GetSpan(size), in value);
        Advance(size);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    public void WriteZeros(int count)
    {
        GetSpan(count)[..count].Clear();
        Advance(count);
    }

    public void WriteVarUInt(ulong value)
    {
        var span = GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        Advance(i);
    }

    public void WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            // Short strings: encode straight after a one-byte length.
            var span = GetSpan(max + 1);
            var written = Encoding.UTF8.GetBytes(value, span[1..]);
            span[0] = (byte)written;
            Advance(written + 1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        Encoding.UTF8.GetBytes(value, GetSpan(count));
        Advance(count);
    }
}
