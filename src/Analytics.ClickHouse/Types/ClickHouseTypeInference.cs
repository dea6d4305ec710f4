using System.Collections;
using System.Data;
using System.Runtime.CompilerServices;

namespace Analytics.ClickHouse.Types;

/// <summary>Chooses the ClickHouse type for a .NET value or <see cref="DbType"/> when the caller names none.</summary>
internal static class ClickHouseTypeInference
{
    public static ClickHouseType FromValue(object? value) => value switch
    {
        null or DBNull => TypeParser.Parse("Nullable(Nothing)"),
        string => TypeParser.Parse("String"),
        bool => TypeParser.Parse("Bool"),
        sbyte => TypeParser.Parse("Int8"),
        byte => TypeParser.Parse("UInt8"),
        short => TypeParser.Parse("Int16"),
        ushort => TypeParser.Parse("UInt16"),
        int => TypeParser.Parse("Int32"),
        uint => TypeParser.Parse("UInt32"),
        long => TypeParser.Parse("Int64"),
        ulong => TypeParser.Parse("UInt64"),
        Int128 => TypeParser.Parse("Int128"),
        UInt128 => TypeParser.Parse("UInt128"),
        float => TypeParser.Parse("Float32"),
        double => TypeParser.Parse("Float64"),
        decimal d => TypeParser.Parse($"Decimal(38, {d.Scale})"),
        Guid => TypeParser.Parse("UUID"),
        DateOnly => TypeParser.Parse("Date32"),
        DateTime or DateTimeOffset => TypeParser.Parse("DateTime64(7, 'UTC')"),
        byte[] => TypeParser.Parse("String"),
        IDictionary dictionary => TypeParser.Parse($"Map({FromClr(Generic(dictionary, 0)).Name}, {FromClr(Generic(dictionary, 1)).Name})"),
        ITuple tuple => TypeParser.Parse($"Tuple({string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => FromValue(tuple[i]).Name))})"),
        IEnumerable sequence => TypeParser.Parse($"Array({FromClr(ElementType(sequence.GetType())).Name})"),
        _ => throw new NotSupportedException($"No ClickHouse type is inferred for {value.GetType().Name}; set ClickHouseParameter.ClickHouseType."),
    };

    public static ClickHouseType FromDbType(DbType dbType) => TypeParser.Parse(dbType switch
    {
        DbType.String or DbType.AnsiString or DbType.StringFixedLength or DbType.AnsiStringFixedLength or DbType.Xml => "Nullable(String)",
        DbType.Boolean => "Nullable(Bool)",
        DbType.SByte => "Nullable(Int8)",
        DbType.Byte => "Nullable(UInt8)",
        DbType.Int16 => "Nullable(Int16)",
        DbType.UInt16 => "Nullable(UInt16)",
        DbType.Int32 => "Nullable(Int32)",
        DbType.UInt32 => "Nullable(UInt32)",
        DbType.Int64 => "Nullable(Int64)",
        DbType.UInt64 => "Nullable(UInt64)",
        DbType.Single => "Nullable(Float32)",
        DbType.Double => "Nullable(Float64)",
        DbType.Decimal or DbType.Currency or DbType.VarNumeric => "Nullable(Decimal(38, 10))",
        DbType.Guid => "Nullable(UUID)",
        DbType.Date => "Nullable(Date32)",
        DbType.DateTime or DbType.DateTime2 or DbType.DateTimeOffset => "Nullable(DateTime64(7, 'UTC'))",
        _ => "Nullable(String)",
    });

    private static ClickHouseType FromClr(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return TypeParser.Parse($"Nullable({FromClr(underlying).Name})");
        }

        if (type == typeof(object))
        {
            throw new NotSupportedException("No ClickHouse type is inferred for a collection of object; set ClickHouseParameter.ClickHouseType.");
        }

        if (type == typeof(string) || type == typeof(byte[]))
        {
            return TypeParser.Parse("String");
        }

        if (type == typeof(decimal))
        {
            // A column of decimals has no one scale; ten digits keep cents and credits exact.
            return TypeParser.Parse("Decimal(38, 10)");
        }

        if (typeof(IEnumerable).IsAssignableFrom(type) && !typeof(IDictionary).IsAssignableFrom(type))
        {
            return TypeParser.Parse($"Array({FromClr(ElementType(type)).Name})");
        }

        // Value types: infer from a default instance of the type.
        var sample = type.IsValueType ? Activator.CreateInstance(type) : null;
        return sample is not null ? FromValue(sample) : throw new NotSupportedException($"No ClickHouse type is inferred for {type.Name}.");
    }

    private static Type ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType()!;
        }

        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            ?? typeof(object);
    }

    private static Type Generic(IDictionary dictionary, int index) =>
        dictionary.GetType().GetInterfaces().Append(dictionary.GetType())
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[index]
            ?? typeof(object);
}
