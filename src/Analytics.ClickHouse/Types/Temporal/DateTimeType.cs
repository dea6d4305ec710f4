using System.Globalization;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Temporal;

/// <summary>
/// <c>DateTime([tz])</c> (UInt32 seconds) and <c>DateTime64(P[, tz])</c> (Int64 ticks of 10^-P s),
/// both instants since the Unix epoch. Values read as UTC <see cref="DateTime"/>; the column's time
/// zone only changes how ClickHouse prints and parses text. Unspecified-kind values written are taken as UTC.
/// </summary>
internal sealed class DateTimeType : ClickHouseType
{
    private readonly long ticksPerUnit;

    public DateTimeType(int? precision, string? timeZone)
    {
        if (precision is < 0 or > 9)
        {
            throw new NotSupportedException($"DateTime64 precision {precision} is outside 0-9.");
        }

        Precision = precision;
        TimeZone = timeZone;
        ticksPerUnit = precision is { } p && p <= 7 ? (long)Math.Pow(10, 7 - p) : 1;
    }

    /// <summary>The sub-second digits of a <c>DateTime64</c>; null for <c>DateTime</c>.</summary>
    public int? Precision { get; }

    public string? TimeZone { get; }

    public override string Name => (Precision, TimeZone) switch
    {
        (null, null) => "DateTime",
        (null, { } tz) => $"DateTime('{tz}')",
        ({ } p, null) => $"DateTime64({p})",
        ({ } p, { } tz) => $"DateTime64({p}, '{tz}')",
    };

    public override Type ClrType => typeof(DateTime);

    internal override object Read(ref RowBinaryReader reader)
    {
        if (Precision is null)
        {
            return DateTime.UnixEpoch.AddSeconds(reader.Read<uint>());
        }

        var units = reader.Read<long>();
        var ticks = Precision <= 7 ? units * ticksPerUnit : units / (long)Math.Pow(10, Precision.Value - 7);
        return DateTime.UnixEpoch.AddTicks(ticks);
    }

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            Write(writer, value is null ? DateTime.UnixEpoch : ToUtc(value));
        }
    }

    internal override void WriteColumn<T>(NativeWriter writer, ReadOnlySpan<T> values)
    {
        if (!TryWriteEach<T, DateTime>(writer, values, (w, value) => Write(w, ToUtc(value))))
        {
            base.WriteColumn(writer, values);
        }
    }

    private void Write(NativeWriter writer, DateTime utc)
    {
        var ticks = (utc - DateTime.UnixEpoch).Ticks;
        if (Precision is null)
        {
            writer.Write(checked((uint)(ticks / TimeSpan.TicksPerSecond)));
        }
        else
        {
            writer.Write(Precision <= 7 ? ticks / ticksPerUnit : checked(ticks * (long)Math.Pow(10, Precision.Value - 7)));
        }
    }

    /// <summary>
    /// Parameters travel as Unix time, which ClickHouse parses the same whatever the column's or the
    /// server's time zone. Instants before 1970 travel as wall-clock text in the type's zone (UTC when
    /// it names none), because ClickHouse drops the sign of "-0.5".
    /// </summary>
    internal override void Format(StringBuilder builder, object value, bool quoted)
    {
        var utc = ToUtc(value);
        var ticks = (utc - DateTime.UnixEpoch).Ticks;
        string text;
        if (ticks < 0)
        {
            var local = TimeZone is null ? utc : TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.FindSystemTimeZoneById(TimeZone));
            text = local.ToString(Precision is > 0 ? "yyyy-MM-dd HH:mm:ss.fffffff" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }
        else
        {
            var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var fraction);
            text = Precision is > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{seconds}.{fraction:D7}")
                : seconds.ToString(CultureInfo.InvariantCulture);
        }

        AppendText(builder, text, quoted);
    }

    private static DateTime ToUtc(DateTime value) =>
        value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static DateTime ToUtc(object value) => value switch
    {
        DateTime dt => ToUtc(dt),
        DateTimeOffset dto => dto.UtcDateTime,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime,
        _ => throw new InvalidCastException($"A {value.GetType().Name} cannot be written as a date and time."),
    };
}
