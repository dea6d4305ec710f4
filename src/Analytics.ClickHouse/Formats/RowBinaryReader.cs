using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Analytics.ClickHouse.Formats;

/// <summary>Sequential little-endian reads over a RowBinary buffer.</summary>
internal ref struct RowBinaryReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> buffer = buffer;

    public int Position { get; private set; }

    public readonly bool End => Position >= buffer.Length;

    public byte ReadByte() => Take(1)[0];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read<T>()
        where T : unmanaged
    {
        // All ClickHouse wire integers and floats are little-endian, as is every platform .NET runs this on.
        return MemoryMarshal.Read<T>(Take(Unsafe.SizeOf<T>()));
    }

    public ulong ReadVarUInt()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new InvalidDataException("A variable-length integer in the result is longer than 10 bytes.");
    }

    public int ReadLength()
    {
        var length = ReadVarUInt();
        if (length > int.MaxValue)
        {
            throw new InvalidDataException($"A length of {length} in the result exceeds what one value may hold.");
        }

        return (int)length;
    }

    public string ReadString() => Encoding.UTF8.GetString(Take(ReadLength()));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(buffer.Length - Position))
        {
            ThrowTruncated(count);
        }

        var slice = buffer.Slice(Position, count);
        Position += count;
        return slice;
    }

    private readonly void ThrowTruncated(int count) =>
        throw new ResultTruncatedException($"The result ends {buffer.Length - Position} bytes after offset {Position}, but {count} more were expected.");
}

/// <summary>
/// A value ran past the end of the bytes at hand. Over a streamed output that means the next piece is needed;
/// at the output's end, that the output is cut short (which the data reader reports as such).
/// </summary>
internal sealed class ResultTruncatedException(string message) : Exception(message);
