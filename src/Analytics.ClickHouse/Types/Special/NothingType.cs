using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Special;

/// <summary><c>Nothing</c>: the type of a bare <c>NULL</c>; it only appears inside <c>Nullable</c> or an empty <c>Array</c>.</summary>
internal sealed class NothingType : ClickHouseType
{
    public static readonly NothingType Instance = new();

    public override string Name => "Nothing";

    public override Type ClrType => typeof(DBNull);

    // The column's storage is one placeholder byte per row.
    internal override object Read(ref RowBinaryReader reader)
    {
        reader.ReadByte();
        return DBNull.Value;
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values) => writer.WriteZeros(values.Count);

    internal override void Format(StringBuilder builder, object value, bool quoted) => builder.Append(quoted ? "NULL" : "\\N");
}
