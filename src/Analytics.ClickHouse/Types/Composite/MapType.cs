using System.Collections;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Composite;

/// <summary><c>Map(K, V)</c>: read as <c>Dictionary&lt;K, V&gt;</c>; on the wire an array of key-value pairs.</summary>
internal sealed class MapType(ClickHouseType key, ClickHouseType value) : ClickHouseType
{
    public ClickHouseType Key { get; } = key;

    public ClickHouseType Value { get; } = value;

    public override string Name => $"Map({Key.Name}, {Value.Name})";

    internal override string NativeName => $"Map({Key.NativeName}, {Value.NativeName})";

    public override Type ClrType => typeof(Dictionary<,>).MakeGenericType(ArrayType.ItemType(Key), ArrayType.ItemType(Value));

    internal override object Read(ref RowBinaryReader reader)
    {
        var count = reader.ReadLength();
        var map = (IDictionary)Activator.CreateInstance(ClrType, count)!;
        for (var i = 0; i < count; i++)
        {
            var k = Key.Read(ref reader);
            var v = Value.Read(ref reader);
            map[k] = v is DBNull ? null : v;
        }

        return map;
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        var keys = new List<object?>();
        var items = new List<object?>();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is not null)
            {
                foreach (var (k, v) in Entries(value))
                {
                    keys.Add(k);
                    items.Add(v);
                }
            }

            writer.Write((ulong)keys.Count);
        }

        Key.WriteColumn(writer, keys);
        Value.WriteColumn(writer, items);
    }

    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        builder.Append('{');
        var first = true;
        foreach (var (k, v) in Entries(value))
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            Key.Format(builder, k!, quoted: true);
            builder.Append(':');
            if (v is null)
            {
                builder.Append("NULL");
            }
            else
            {
                Value.Format(builder, v, quoted: true);
            }
        }

        builder.Append('}');
    }

    private static IEnumerable<(object? Key, object? Value)> Entries(object value)
    {
        if (value is not IDictionary dictionary)
        {
            throw new InvalidCastException($"A {value.GetType().Name} cannot be written as a map.");
        }

        foreach (DictionaryEntry entry in dictionary)
        {
            yield return (entry.Key, entry.Value);
        }
    }
}
