using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Composite;

/// <summary>
/// <c>LowCardinality(T)</c>: a storage choice, not a different value. RowBinary carries plain T, and
/// Native blocks declare plain T, which ClickHouse converts on insert.
/// </summary>
internal sealed class LowCardinalityType(ClickHouseType inner) : ClickHouseType
{
    public ClickHouseType Inner { get; } = inner;

    public override string Name => $"LowCardinality({Inner.Name})";

    internal override string NativeName => Inner.NativeName;

    public override Type ClrType => Inner.ClrType;

    internal override object Read(ref RowBinaryReader reader) => Inner.Read(ref reader);

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values) => Inner.WriteColumn(writer, values);

    internal override void WriteColumn<T>(NativeWriter writer, ReadOnlySpan<T> values) => Inner.WriteColumn(writer, values);

    internal override void Format(StringBuilder builder, object value, bool quoted) => Inner.Format(builder, value, quoted);
}
