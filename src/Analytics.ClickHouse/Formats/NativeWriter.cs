using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.ClickHouse.Formats;

/// <summary>
/// An append-only little-endian buffer for Native blocks, on arrays rented from the shared pool so
/// that repeated inserts reuse memory instead of growing a fresh buffer each time. Callers that encode
/// their own rows (<see cref="ADO.ClickHouseConnection.InsertRawAsync"/> with <c>Native</c>) build blocks on it.
/// </summary>
/// <param name="initialCapacity">The bytes of the first buffer.</param>
/// <param name="pool">Where buffers are rented from: the shared pool unless given.</param>
public sealed class NativeWriter(int initialCapacity = 64 * 1024, ArrayPool<byte>? pool = null) : IBufferWriter<byte>, IDisposable
{
    private readonly ArrayPool<byte> pool = pool ?? ArrayPool<byte>.Shared;
    private byte[] array = (pool ?? ArrayPool<byte>.Shared).Rent(initialCapacity);
    private int written;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => array.AsMemory(0, written);

    /// <inheritdoc cref="WrittenMemory"/>
    public ReadOnlySpan<byte> WrittenSpan => array.AsSpan(0, written);

    /// <summary>How many bytes are written.</summary>
    public int Length => written;

    /// <summary>Starts again from nothing, keeping the buffer.</summary>
    public void Clear() => written = 0;

    /// <summary>Drops what was written after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, written);
        written = length;
    }

    /// <inheritdoc/>
    public void Advance(int count) => written += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsMemory(written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsSpan(written);
    }

    /// <summary>Returns the buffer to the pool; the writer holds nothing after.</summary>
    public void Dispose()
    {
        pool.Return(array);
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
        var bigger = pool.Rent(Math.Max(array.Length * 2, written + Math.Max(sizeHint, 1)));
        array.AsSpan(0, written).CopyTo(bigger);
        pool.Return(array);
        array = bigger;
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Advance(1);
    }

    /// <summary>Writes <paramref name="value"/>'s bytes, little-endian, as a Native column of a fixed-width type holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write<T>(T value)
        where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        MemoryMarshal.Write(GetSpan(size), in value);
        Advance(size);
    }

    /// <summary>Writes a UUID as the engine keeps it: two little-endian 64-bit halves, each the big-endian reading of 8 of its bytes, the high half first.</summary>
    public void WriteUuid(Guid value)
    {
        Span<byte> bigEndian = stackalloc byte[16];
        value.TryWriteBytes(bigEndian, bigEndian: true, out _);
        Write(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bigEndian));
        Write(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bigEndian[8..]));
    }

    /// <summary>Writes bytes as they are.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    /// <summary>Writes <paramref name="count"/> zero bytes.</summary>
    public void WriteZeros(int count)
    {
        GetSpan(count)[..count].Clear();
        Advance(count);
    }

    /// <summary>Writes an unsigned LEB128 varint, as Native lengths and counts are.</summary>
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

    /// <summary>Writes a String value: its UTF-8 length as a varint, then its UTF-8.</summary>
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
