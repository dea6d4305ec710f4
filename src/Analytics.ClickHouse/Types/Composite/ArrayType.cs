using System.Collections;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Composite;

/// <summary><c>Array(T)</c>: read as <c>T[]</c>; any <see cref="IEnumerable"/> other than a string can be written.</summary>
internal sealed class ArrayType(ClickHouseType element) : ClickHouseType
{
    public ClickHouseType Element { get; } = element;

    public override string Name => $"Array({Element.Name})";

    internal override string NativeName => $"Array({Element.NativeName})";

    public override Type ClrType => ItemType(Element).MakeArrayType();

    internal override object Read(ref RowBinaryReader reader)
    {
        var count = reader.ReadLength();
        var array = Array.CreateInstance(ItemType(Element), count);
        for (var i = 0; i < count; i++)
        {
            var item = Element.Read(ref reader);
            array.SetValue(item is DBNull ? null : item, i);
        }

        return array;
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        // Offsets first (cumulative end of each row), then every element as one nested column.
        var elements = new List<object?>();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is not null)
            {
                elements.AddRange(Items(value));
            }

            writer.Write((ulong)elements.Count);
        }

        Element.WriteColumn(writer, elements);
    }

    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        builder.Append('[');
        var first = true;
        foreach (var item in Items(value))
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            if (item is null)
            {
                builder.Append("NULL");
            }
            else
            {
                Element.Format(builder, item, quoted: true);
            }
        }

        builder.Append(']');
    }

    /// <summary>The .NET type that holds one value of <paramref name="type"/>, null included: <c>int?</c> for <c>Nullable(Int32)</c>.</summary>
    internal static Type ItemType(ClickHouseType type) =>
        type is NullableType && type.ClrType.IsValueType ? typeof(Nullable<>).MakeGenericType(type.ClrType) : type.ClrType;

    internal static IEnumerable<object?> Items(object value) => value switch
    {
        string => throw new InvalidCastException("A string is not an array; wrap it in one."),
        IEnumerable sequence => sequence.Cast<object?>(),
        _ => throw new InvalidCastException($"A {value.GetType().Name} cannot be written as an array."),
    };
}
