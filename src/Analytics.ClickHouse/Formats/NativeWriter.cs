using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.ClickHouse.Formats;

/// <summary>An append-only little-endian buffer for Native blocks.</summary>
internal sealed class NativeWriter(int initialCapacity = 64 * 1024)
{
    private readonly ArrayBufferWriter<byte> buffer = new(initialCapacity);

    public ReadOnlyMemory<byte> WrittenMemory => buffer.WrittenMemory;

    public int Length => buffer.WrittenCount;

    public void Clear() => buffer.ResetWrittenCount();

    public void WriteByte(byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(T value)
        where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        MemoryMarshal.Write(buffer.GetSpan(size), in value);
        buffer.Advance(size);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

    public void WriteZeros(int count)
    {
        buffer.GetSpan(count)[..count].Clear();
        buffer.Advance(count);
    }

    public void WriteVarUInt(ulong value)
    {
        var span = buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        buffer.Advance(i);
    }

    public void WriteString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            // Short strings: encode straight after a one-byte length.
            var span = buffer.GetSpan(max + 1);
            var written = Encoding.UTF8.GetBytes(value, span[1..]);
            span[0] = (byte)written;
            buffer.Advance(written + 1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(count));
        buffer.Advance(count);
    }
}
