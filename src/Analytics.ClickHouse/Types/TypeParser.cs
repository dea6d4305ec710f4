using System.Collections.Concurrent;
using System.Globalization;
using Analytics.ClickHouse.Types.Composite;
using Analytics.ClickHouse.Types.Primitive;
using Analytics.ClickHouse.Types.Special;
using Analytics.ClickHouse.Types.Temporal;
using Analytics.ClickHouse.Types.Text;

namespace Analytics.ClickHouse.Types;

/// <summary>Turns ClickHouse type names into <see cref="ClickHouseType"/> instances, caching each name once parsed.</summary>
internal static class TypeParser
{
    private static readonly ConcurrentDictionary<string, ClickHouseType> Cache = new(StringComparer.Ordinal);

    /// <summary>The simple (argument-free) types, by every name ClickHouse prints or accepts for them.</summary>
    internal static readonly IReadOnlyDictionary<string, ClickHouseType> Simple = new Dictionary<string, ClickHouseType>(StringComparer.Ordinal)
    {
        ["Int8"] = new NumericType<sbyte>("Int8"),
        ["Int16"] = new NumericType<short>("Int16"),
        ["Int32"] = new NumericType<int>("Int32"),
        ["Int64"] = new NumericType<long>("Int64"),
        ["Int128"] = new NumericType<Int128>("Int128"),
        ["UInt8"] = new NumericType<byte>("UInt8"),
        ["UInt16"] = new NumericType<ushort>("UInt16"),
        ["UInt32"] = new NumericType<uint>("UInt32"),
        ["UInt64"] = new NumericType<ulong>("UInt64"),
        ["UInt128"] = new NumericType<UInt128>("UInt128"),
        ["Float32"] = new NumericType<float>("Float32"),
        ["Float64"] = new NumericType<double>("Float64"),
        ["Bool"] = BoolType.Instance,
        ["String"] = StringType.Instance,
        ["UUID"] = UuidType.Instance,
        ["Date"] = DateType.Date,
        ["Date32"] = DateType.Date32,
        ["DateTime"] = new DateTimeType(null, null),
        ["Nothing"] = NothingType.Instance,
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Boolean"] = "Bool",
        ["TINYINT"] = "Int8",
        ["SMALLINT"] = "Int16",
        ["INT"] = "Int32",
        ["INTEGER"] = "Int32",
        ["BIGINT"] = "Int64",
        ["FLOAT"] = "Float32",
        ["DOUBLE"] = "Float64",
        ["TEXT"] = "String",
        ["VARCHAR"] = "String",
    };

    public static ClickHouseType Parse(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Cache.GetOrAdd(name.Trim(), static n =>
        {
            var position = 0;
            var type = ParseType(n, ref position);
            SkipSpaces(n, ref position);
            if (position != n.Length)
            {
                throw Unsupported(n, $"unexpected text at offset {position}");
            }

            return type;
        });
    }

    private static ClickHouseType ParseType(string text, ref int position)
    {
        SkipSpaces(text, ref position);
        var name = ReadIdentifier(text, ref position);
        SkipSpaces(text, ref position);
        if (position >= text.Length || text[position] != '(')
        {
            if (Simple.TryGetValue(name, out var simple))
            {
                return simple;
            }

            if (Aliases.TryGetValue(name, out var alias))
            {
                return Simple[alias];
            }

            throw Unsupported(text, $"unknown type '{name}'");
        }

        position++; // '('
        ClickHouseType result = name switch
        {
            "Nullable" => new NullableType(ParseType(text, ref position)),
            "LowCardinality" => new LowCardinalityType(ParseType(text, ref position)),
            "Array" => new ArrayType(ParseType(text, ref position)),
            "Map" => ParseMap(text, ref position),
            "Tuple" => ParseTuple(text, ref position),
            "FixedString" => new FixedStringType(ReadInt(text, ref position)),
            "Decimal" => ParseDecimal(text, ref position),
            "Decimal32" => new DecimalType(9, ReadInt(text, ref position)),
            "Decimal64" => new DecimalType(18, ReadInt(text, ref position)),
            "Decimal128" => new DecimalType(38, ReadInt(text, ref position)),
            "DateTime" => new DateTimeType(null, ReadQuoted(text, ref position)),
            "DateTime64" => ParseDateTime64(text, ref position),
            _ => throw Unsupported(text, $"unknown type '{name}'"),
        };
        Expect(text, ref position, ')');
        return result;
    }

    private static MapType ParseMap(string text, ref int position)
    {
        var key = ParseType(text, ref position);
        Expect(text, ref position, ',');
        return new MapType(key, ParseType(text, ref position));
    }

    private static TupleType ParseTuple(string text, ref int position)
    {
        var elements = new List<ClickHouseType>();
        var names = new List<string?>();
        do
        {
            SkipSpaces(text, ref position);

            // A named element reads "name Type"; an unnamed one is just "Type".
            var start = position;
            var first = ReadIdentifier(text, ref position);
            SkipSpaces(text, ref position);
            if (position < text.Length && (char.IsLetter(text[position]) || text[position] == '_'))
            {
                names.Add(first);
            }
            else
            {
                position = start;
                names.Add(null);
            }

            elements.Add(ParseType(text, ref position));
            SkipSpaces(text, ref position);
        }
        while (TryConsume(text, ref position, ','));

        return new TupleType(elements, names);
    }

    private static DecimalType ParseDecimal(string text, ref int position)
    {
        var precision = ReadInt(text, ref position);
        var scale = TryConsume(text, ref position, ',') ? ReadInt(text, ref position) : 0;
        return new DecimalType(precision, scale);
    }

    private static DateTimeType ParseDateTime64(string text, ref int position)
    {
        var precision = ReadInt(text, ref position);
        var timeZone = TryConsume(text, ref position, ',') ? ReadQuoted(text, ref position) : null;
        return new DateTimeType(precision, timeZone);
    }

    private static string ReadIdentifier(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
        {
            position++;
        }

        return position > start ? text[start..position] : throw Unsupported(text, $"expected a name at offset {start}");
    }

    private static int ReadInt(string text, ref int position)
    {
        SkipSpaces(text, ref position);
        var start = position;
        while (position < text.Length && char.IsDigit(text[position]))
        {
            position++;
        }

        return int.Parse(text.AsSpan(start, position - start), CultureInfo.InvariantCulture);
    }

    private static string? ReadQuoted(string text, ref int position)
    {
        SkipSpaces(text, ref position);
        if (position >= text.Length || text[position] != '\'')
        {
            return null;
        }

        var end = text.IndexOf('\'', position + 1);
        if (end < 0)
        {
            throw Unsupported(text, "unterminated quote");
        }

        var value = text[(position + 1)..end];
        position = end + 1;
        return value;
    }

    private static void Expect(string text, ref int position, char c)
    {
        if (!TryConsume(text, ref position, c))
        {
            throw Unsupported(text, $"expected '{c}' at offset {position}");
        }
    }

    private static bool TryConsume(string text, ref int position, char c)
    {
        SkipSpaces(text, ref position);
        if (position < text.Length && text[position] == c)
        {
            position++;
            return true;
        }

        return false;
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    private static NotSupportedException Unsupported(string text, string why) =>
        new($"The ClickHouse type '{text}' is not supported by this provider: {why}.");
}
