using System.Runtime.CompilerServices;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Composite;

/// <summary>
/// <c>Tuple(T1, ..., Tn)</c>, named or not: read as <c>object?[]</c> in element order; any
/// <see cref="ITuple"/> or array can be written.
/// </summary>
internal sealed class TupleType(IReadOnlyList<ClickHouseType> elements, IReadOnlyList<string?> names) : ClickHouseType
{
    public IReadOnlyList<ClickHouseType> Elements { get; } = elements;

    public IReadOnlyList<string?> Names { get; } = names;

    public override string Name => $"Tuple({string.Join(", ", Elements.Select((e, i) => Names[i] is { } n ? $"{n} {e.Name}" : e.Name))})";

    internal override string NativeName => $"Tuple({string.Join(", ", Elements.Select((e, i) => Names[i] is { } n ? $"{n} {e.NativeName}" : e.NativeName))})";

    public override Type ClrType => typeof(object[]);

    internal override object Read(ref RowBinaryReader reader)
    {
        var values = new object?[Elements.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var value = Elements[i].Read(ref reader);
            values[i] = value is DBNull ? null : value;
        }

        return values;
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        // Each element is a column of its own, one after the other.
        for (var i = 0; i < Elements.Count; i++)
        {
            var index = i;
            Elements[i].WriteColumn(writer, values.Select(v => v is null ? null : Item(v, index)).ToList());
        }
    }

    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        builder.Append('(');
        for (var i = 0; i < Elements.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            if (Item(value, i) is { } item)
            {
                Elements[i].Format(builder, item, quoted: true);
            }
            else
            {
                builder.Append("NULL");
            }
        }

        builder.Append(')');
    }

    private object? Item(object tuple, int index)
    {
        var (length, item) = tuple switch
        {
            ITuple t => (t.Length, index < t.Length ? t[index] : null),
            object?[] array => (array.Length, index < array.Length ? array[index] : null),
            _ => throw new InvalidCastException($"A {tuple.GetType().Name} cannot be written as a tuple."),
        };
        if (length != Elements.Count)
        {
            throw new InvalidCastException($"A tuple of {length} items cannot be written as {Name}.");
        }

        return item;
    }
}
