using System.Globalization;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Primitive;

/// <summary>
/// <c>Decimal(P, S)</c> for P up to 38: an integer of 4, 8 or 16 bytes scaled by 10^S, read as
/// <see cref="decimal"/>. A stored value outside <see cref="decimal"/>'s 28-29 digits fails loudly
/// rather than losing digits; select it with <c>toString()</c> instead.
/// </summary>
internal sealed class DecimalType : ClickHouseType
{
    public DecimalType(int precision, int scale)
    {
        if (precision is < 1 or > 38 || scale < 0 || scale > precision)
        {
            throw new NotSupportedException($"Decimal({precision}, {scale}) is not supported: precision must be 1-38 and scale 0-precision.");
        }

        Precision = precision;
        Scale = scale;
        Size = precision <= 9 ? 4 : precision <= 18 ? 8 : 16;
    }

    public int Precision { get; }

    public int Scale { get; }

    public int Size { get; }

    public override string Name => $"Decimal({Precision}, {Scale})";

    public override Type ClrType => typeof(decimal);

    internal override object Read(ref RowBinaryReader reader)
    {
        Int128 raw = Size switch
        {
            4 => reader.Read<int>(),
            8 => reader.Read<long>(),
            _ => reader.Read<Int128>(),
        };
        return ToDecimal(raw);
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            WriteRaw(writer, value is null ? Int128.Zero : ToRaw(Convert<decimal>(value)));
        }
    }

    internal override void WriteColumn<T>(NativeWriter writer, ReadOnlySpan<T> values)
    {
        if (!TryWriteEach<T, decimal>(writer, values, (w, value) => WriteRaw(w, ToRaw(value))))
        {
            base.WriteColumn(writer, values);
        }
    }

    private void WriteRaw(NativeWriter writer, Int128 raw)
    {
        switch (Size)
        {
            case 4: writer.Write(checked((int)raw)); break;
            case 8: writer.Write(checked((long)raw)); break;
            default: writer.Write(raw); break;
        }
    }

    internal override void Format(StringBuilder builder, object value, bool quoted) =>
        builder.Append(Convert<decimal>(value).ToString(CultureInfo.InvariantCulture));

    private decimal ToDecimal(Int128 raw)
    {
        var negative = Int128.IsNegative(raw);
        var magnitude = (UInt128)(negative ? -raw : raw);
        if (magnitude >> 96 != 0 || Scale > 28)
        {
            throw new OverflowException(
                $"A {Name} value has more digits than System.Decimal holds; select it with toString() to read it exactly.");
        }

        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)Scale);
    }

    private Int128 ToRaw(decimal value)
    {
        var scaled = decimal.Round(value, Scale, MidpointRounding.ToEven);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(scaled, bits);
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        for (var scale = (bits[3] >> 16) & 0xFF; scale < Scale; scale++)
        {
            mantissa = checked(mantissa * 10);
        }

        var raw = checked((Int128)mantissa);
        return bits[3] < 0 ? -raw : raw;
    }
}
