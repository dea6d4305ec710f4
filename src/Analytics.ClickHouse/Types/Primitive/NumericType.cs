using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Primitive;

/// <summary>The fixed-width numbers: (U)Int8-128 and Float32/64, stored as little-endian <typeparamref name="T"/>.</summary>
internal sealed class NumericType<T>(string name) : ClickHouseType
    where T : unmanaged, INumber<T>
{
    public override string Name { get; } = name;

    public override Type ClrType => typeof(T);

    internal override object Read(ref RowBinaryReader reader) => reader.Read<T>();

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            writer.Write(value is null ? T.Zero : ToNumber(value));
        }
    }

    internal override void WriteColumn<TValue>(NativeWriter writer, ReadOnlySpan<TValue> values)
    {
        if (typeof(TValue) == typeof(T))
        {
            // The Native layout of a fixed-width column is the values' own memory.
            writer.WriteBytes(MemoryMarshal.AsBytes(As<TValue, T>(values)));
            return;
        }

        base.WriteColumn(writer, values);
    }

    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        var number = ToNumber(value);
        switch (number)
        {
            case double d when !double.IsFinite(d):
                builder.Append(double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");
                break;
            case float f when !float.IsFinite(f):
                builder.Append(float.IsNaN(f) ? "nan" : f > 0 ? "inf" : "-inf");
                break;
            default:
                builder.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static T ToNumber(object value) => value switch
    {
        T typed => typed,
        bool b => b ? T.One : T.Zero,
        string s => T.Parse(s, CultureInfo.InvariantCulture),
        Int128 i => T.CreateChecked(i),
        UInt128 u => T.CreateChecked(u),
        _ when IsFloat => T.CreateChecked(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        _ => T.CreateChecked(System.Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
    };

    private static bool IsFloat => typeof(T) == typeof(float) || typeof(T) == typeof(double);
}
