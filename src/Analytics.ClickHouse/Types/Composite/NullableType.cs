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
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            writer.WriteByte(IsNull(value) ? (byte)1 : (byte)0);
        }

        // Null cells still occupy a slot in the nested column; the inner type writes its default for null there.
        Inner.WriteColumn(writer, new DbNullAsNull(values));
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

    /// <summary>A view of a column with <see cref="DBNull"/> read as null, without copying it.</summary>
    private sealed class DbNullAsNull(IReadOnlyList<object?> values) : IReadOnlyList<object?>
    {
        public int Count => values.Count;

        public object? this[int index] => values[index] is DBNull ? null : values[index];

        public IEnumerator<object?> GetEnumerator()
        {
            for (var i = 0; i < values.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
