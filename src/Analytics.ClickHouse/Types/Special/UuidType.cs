using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Special;

/// <summary><c>UUID</c>: two little-endian 64-bit halves, the high half first.</summary>
internal sealed class UuidType : ClickHouseType
{
    public static readonly UuidType Instance = new();

    public override string Name => "UUID";

    public override Type ClrType => typeof(Guid);

    internal override object Read(ref RowBinaryReader reader)
    {
        var high = reader.Read<ulong>();
        var low = reader.Read<ulong>();
        Span<byte> bigEndian = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bigEndian, high);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bigEndian[8..], low);
        return new Guid(bigEndian, bigEndian: true);
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            Write(writer, value switch
            {
                null => Guid.Empty,
                Guid g => g,
                _ => Guid.Parse(value.ToString()!),
            });
        }
    }

    internal override void WriteColumn<T>(NativeWriter writer, ReadOnlySpan<T> values)
    {
        if (!TryWriteEach<T, Guid>(writer, values, Write))
        {
            base.WriteColumn(writer, values);
        }
    }

    private static void Write(NativeWriter writer, Guid guid) => writer.WriteUuid(guid);

    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        var text = value is Guid g ? g.ToString("D") : Guid.Parse(value.ToString()!).ToString("D");
        AppendText(builder, text, quoted);
    }
}
