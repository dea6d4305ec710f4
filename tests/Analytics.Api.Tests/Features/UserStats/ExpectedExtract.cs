using System.Globalization;

namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>
/// The extract computed in C# from the events a test inserted: the reference the API is checked against.
/// It shares no code or SQL with the service.
/// </summary>
internal sealed class ExpectedExtract(IEnumerable<TestEvent> events, IReadOnlyDictionary<string, decimal?> caps, IReadOnlySet<string> forgotten)
{
    private readonly List<TestEvent> all = [.. events];

    public (List<ExtractRow> Rows, ExtractSummary Summary) Compute(string workspace, DateTime start, DateTime end, string granularity, ExtractFilter? filter = null)
    {
        filter ??= new ExtractFilter();
        var mine = all.Where(e => e.Workspace == workspace).ToList();
        var kept = mine.Where(e => !forgotten.Contains(e.HistoryId)).ToList();
        var profiles = mine.GroupBy(e => (e.UserId, e.Institution)).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Timestamp)!);
        var lifetime = kept.GroupBy(e => e.UserId).ToDictionary(g => g.Key, g => g.Sum(e => e.Credits));

        bool Searched(TestEvent p) => string.IsNullOrEmpty(filter.Search)
            || p.Email.Contains(filter.Search, StringComparison.OrdinalIgnoreCase)
            || p.FirstName.Contains(filter.Search, StringComparison.OrdinalIgnoreCase)
            || p.LastName.Contains(filter.Search, StringComparison.OrdinalIgnoreCase);

        var rows = kept
            .Where(e => e.Timestamp >= start && e.Timestamp < end)
            .Where(e => filter.Accounts is null || filter.Accounts.Contains(e.Account))
            .Where(e => filter.Institutions is null || filter.Institutions.Contains(e.Institution))
            .Where(e => filter.Role is null || e.Role == filter.Role)
            .Where(e => Searched(profiles[(e.UserId, e.Institution)]))
            .GroupBy(e => (e.UserId, e.Institution, Period: PeriodStart(granularity, e.Timestamp.Date)))
            .Select(g =>
            {
                var p = profiles[(g.Key.UserId, g.Key.Institution)];
                var used = lifetime[g.Key.UserId];
                var cap = caps.TryGetValue(g.Key.UserId, out var c) ? c : null;
                return new ExtractRow(
                    g.Key.UserId, p.Email, p.FirstName, p.LastName, g.Key.Institution, p.InstanceName, p.AiName,
                    g.Key.Period.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), g.Count(), g.Sum(e => e.Credits), used, cap,
                    cap is null ? null : cap == 0 ? 100m : Math.Round(used * 100 / cap.Value, 2, MidpointRounding.AwayFromZero),
                    cap is not null && used >= cap);
            })
            .OrderBy(r => r.PeriodStart, StringComparer.Ordinal).ThenBy(r => r.User, StringComparer.Ordinal).ThenBy(r => r.Institution, StringComparer.Ordinal)
            .ToList();

        if (rows.Count == 0)
        {
            return (rows, new ExtractSummary(0, 0, 0));
        }

        var perUser = rows.GroupBy(r => r.User).Select(g => (Credits: g.Sum(r => r.CreditsUsed), AtCap: g.First().AtCap)).ToList();
        var perInstitution = rows.GroupBy(r => r.Institution).Select(g => g.Sum(r => r.CreditsUsed) / g.Select(r => r.User).Distinct().Count()).ToList();
        return (rows, new ExtractSummary(
            Math.Round(perUser.Sum(u => u.Credits) / perUser.Count, 6, MidpointRounding.AwayFromZero),
            Math.Round(perInstitution.Sum() / perInstitution.Count, 6, MidpointRounding.AwayFromZero),
            perUser.Count(u => u.AtCap)));
    }

    public static DateTime PeriodStart(string granularity, DateTime day) => granularity switch
    {
        "week" => day.AddDays(day.DayOfWeek == DayOfWeek.Sunday ? -6 : DayOfWeek.Monday - day.DayOfWeek),
        "month" => new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        _ => day,
    };
}
