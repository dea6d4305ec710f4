namespace Analytics.Api.Features.UserStats;

/// <summary>The extract's window, <c>[Start, End)</c> in UTC, and how it was derived.</summary>
internal sealed record UserStatsWindow(DateTime Start, DateTime End, string Source, int? DefaultDays)
{
    public const string FromDaterange = "daterange";
    public const string FromRange = "range";
    public const string FromDefault = "default";

    // The days a ClickHouse Date (the rollups' day column) can hold.
    public static readonly DateTime Earliest = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime Latest = new(2149, 6, 6, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// daterange as given; else the last |range| periods, the current one included, from the start of
    /// the earliest to the end of the current one; else the last 30, 84 or 365 days (day, week, month)
    /// up to the end of the current UTC day.
    /// </summary>
    public static UserStatsWindow Derive(UserStatsRequest request, DateTimeOffset now)
    {
        if (request.Daterange is { } daterange)
        {
            return new(daterange.Start, daterange.End, FromDaterange, null);
        }

        var today = DateTime.SpecifyKind(now.UtcDateTime.Date, DateTimeKind.Utc);
        if (request.Range is { } range)
        {
            var current = Granularity.PeriodStart(request.Granularity, today);
            return new(Granularity.AddPeriods(request.Granularity, current, range + 1), Granularity.AddPeriods(request.Granularity, current, 1), FromRange, null);
        }

        var days = Granularity.DefaultDays(request.Granularity);
        var end = today.AddDays(1);
        return new(end.AddDays(-days), end, FromDefault, days);
    }

    /// <summary>True when the window lies within the days the rollups can hold.</summary>
    public bool InSupportedRange => Start >= Earliest && End <= Latest;

    /// <summary>The first UTC day wholly inside the window (rollup rows start here).</summary>
    public DateOnly FullDaysFrom => DateOnly.FromDateTime(Start.TimeOfDay == TimeSpan.Zero ? Start : Start.Date.AddDays(1));

    /// <summary>The day after the last UTC day wholly inside the window (exclusive).</summary>
    public DateOnly FullDaysTo => DateOnly.FromDateTime(End.Date);
}
