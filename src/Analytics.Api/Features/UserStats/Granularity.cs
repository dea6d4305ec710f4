namespace Analytics.Api.Features.UserStats;

/// <summary>Period sizes of the extract, all in UTC; weeks start on Monday.</summary>
internal static class Granularity
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";

    public static readonly string[] All = [Day, Week, Month];

    /// <summary>The start of the period that contains <paramref name="day"/> (a UTC midnight).</summary>
    public static DateTime PeriodStart(string granularity, DateTime day) => granularity switch
    {
        Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        Month => new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        _ => day,
    };

    /// <summary><paramref name="periodStart"/> moved by <paramref name="periods"/> whole periods.</summary>
    public static DateTime AddPeriods(string granularity, DateTime periodStart, int periods) => granularity switch
    {
        Week => periodStart.AddDays(7 * periods),
        Month => periodStart.AddMonths(periods),
        _ => periodStart.AddDays(periods),
    };

    /// <summary>The length of the default window, in days, when neither daterange nor range is given.</summary>
    public static int DefaultDays(string granularity) => granularity switch
    {
        Week => 84,
        Month => 365,
        _ => 30,
    };
}
