using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Primitive;

/// <summary><c>Bool</c>: one byte, 0 or 1.</summary>
internal sealed class BoolType : ClickHouseType
{
    public static readonly BoolType Instance = new();

    public override string Name => "Bool";

    public override Type ClrType => typeof(bool);

    internal override object Read(ref RowBinaryReader reader) => reader.ReadByte() != 0;

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            writer.WriteByte(value is not null && Convert<bool>(value) ? (byte)1 : (byte)0);
        }
    }

    internal override void Format(StringBuilder builder, object value, bool quoted) =>
        builder.Append(Convert<bool>(value) ? "true" : "false");
}
