using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Composite;

/// <summary><c>Nullable(T)</c>: a null flag per value, then the value (RowBinary) or the whole nested column (Native).</summary>
internal sealed class NullableType(ClickHouseType inner) : ClickHouseType
{
    public ClickHouseType Inner { get; } = inner;

    public override string Name => $"Nullable({Inner.Name})";

    internal override string NativeName => $"Nullable({Inner.NativeName})";

    public override Type ClrType => Inner.ClrType;

    internal override object Read(ref RowBinaryReader reader) =>
        reader.ReadByte() != 0 ? DBNull.Value : Inner.Read(ref reader);

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        foreach (var value in values)
        {
            writer.WriteByte(IsNull(value) ? (byte)1 : (byte)0);
        }

        // Null cells still occupy a slot in the nested column; the inner type writes its default there.
        Inner.WriteColumn(writer, values.Select(v => IsNull(v) ? null : v).ToList());
    }

    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        if (IsNull(value))
        {
            builder.Append(quoted ? "NULL" : "\\N");
        }
        else
        {
            Inner.Format(builder, value, quoted);
        }
    }

    internal static bool IsNull(object? value) => value is null or DBNull;
}
