using System.Globalization;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Temporal;

/// <summary>
/// <c>Date</c> (UInt16 days since 1970-01-01) and <c>Date32</c> (Int32 days, may be negative),
/// both read as <see cref="DateOnly"/>.
/// </summary>
internal sealed class DateType : ClickHouseType
{
    public static readonly DateType Date = new(wide: false);
    public static readonly DateType Date32 = new(wide: true);

    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
    private readonly bool wide;

    private DateType(bool wide) => this.wide = wide;

    public override string Name => wide ? "Date32" : "Date";

    public override Type ClrType => typeof(DateOnly);

    internal override object Read(ref RowBinaryReader reader)
    {
        var days = wide ? reader.Read<int>() : reader.Read<ushort>();
        return DateOnly.FromDayNumber(EpochDayNumber + days);
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var days = value is null ? 0 : ToDate(value).DayNumber - EpochDayNumber;
            if (wide)
            {
                writer.Write(days);
            }
            else
            {
                writer.Write(checked((ushort)days));
            }
        }
    }

    internal override void Format(StringBuilder builder, object value, bool quoted) =>
        AppendText(builder, ToDate(value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), quoted);

    private static DateOnly ToDate(object value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        DateTimeOffset dto => DateOnly.FromDateTime(dto.UtcDateTime),
        string s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"A {value.GetType().Name} cannot be written as a date."),
    };
}
