using Analytics.LoadTest.Model;

namespace Analytics.LoadTest.Queries;

/// <summary>
/// The requests every system answers, in the same order: varied windows (mostly recent), prompt id
/// sets of 1 to 100 templates (mostly popular ones), product/search/origin filters, granularities,
/// institution/account/role/search filters, and now and then window edges off UTC midnight. The first
/// <see cref="LoadTestOptions.Warmup"/> cases of each list warm a system up and are not timed.
/// </summary>
internal sealed class QueryPlan
{
    public QueryPlan(TrafficModel model)
    {
        var options = model.Options;
        var count = options.Warmup + options.Queries;
        var random = new Random(options.Seed + 2);
        PromptStats = Enumerable.Range(0, count).Select(_ => PromptStatsCase(model, random)).ToArray();
        PromptUsage = Enumerable.Range(0, count).Select(_ => PromptUsageCase(model, random)).ToArray();
        UserStats = Enumerable.Range(0, count).Select(_ => UserStatsCase(model, random)).ToArray();
    }

    public PromptStatsCase[] PromptStats { get; }

    public PromptUsageCase[] PromptUsage { get; }

    public UserStatsCase[] UserStats { get; }

    private static PromptStatsCase PromptStatsCase(TrafficModel model, Random random)
    {
        var days = Pick(random, [(1, 0.2), (7, 0.35), (30, 0.3), (90, 0.15)]);
        var (from, to) = DayWindow(model, random, days);
        var size = Math.Min(Pick(random, [(1, 0.3), (5, 0.35), (20, 0.25), (100, 0.1)]), model.Prompts.Length);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (ids.Count < size)
        {
            ids.Add(random.NextDouble() < 0.7 ? model.NextPrompt(random) : model.Prompts[random.Next(model.Prompts.Length)]);
        }

        return new(from, to, [.. ids]);
    }

    private static PromptUsageCase PromptUsageCase(TrafficModel model, Random random)
    {
        var days = Pick(random, [(1, 0.45), (7, 0.4), (30, 0.15)]);
        var (start, end) = DayWindow(model, random, days);
        var productCount = Math.Min(Pick(random, [(0, 0.6), (1, 0.3), (2, 0.1)]), model.Products.Length);
        var products = model.Products.OrderBy(_ => random.Next()).Take(productCount).Select(p => p.Id).ToArray();
        var path = products.Length > 0 ? products[0] : model.Products[random.Next(model.Products.Length)].Id;
        var searchRoll = random.NextDouble();
        var user = model.NextUser(random);
        var search = searchRoll < 0.7 ? string.Empty
            : searchRoll < 0.85 ? user.LastName[..Math.Min(4, user.LastName.Length)].ToLowerInvariant()
            : user.Email[..user.Email.IndexOf('@', StringComparison.Ordinal)];
        var origin = Pick(random, [(string.Empty, 0.6), ("APP", 0.25), ("SLACK", 0.1), ("API_KEY", 0.05)]);
        return new(path, start, end, products, search, origin);
    }

    private static UserStatsCase UserStatsCase(TrafficModel model, Random random)
    {
        var granularity = Pick(random, [("day", 0.5), ("week", 0.3), ("month", 0.2)]);
        var last = model.LastDay.AddDays(-RecentOffset(model, random)).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        DateTime start, end;
        switch (granularity)
        {
            case "week":
                var monday = last.AddDays(-(((int)last.DayOfWeek + 6) % 7));
                start = monday.AddDays(-7 * (Pick(random, [(4, 0.6), (12, 0.4)]) - 1));
                end = monday.AddDays(7);
                break;
            case "month":
                var first = new DateTime(last.Year, last.Month, 1, 0, 0, 0, DateTimeKind.Utc);
                start = first.AddMonths(1 - Pick(random, [(1, 0.5), (3, 0.5)]));
                end = first.AddMonths(1);
                break;
            default:
                end = last.AddDays(1);
                start = end.AddDays(-Pick(random, [(7, 0.6), (30, 0.4)]));
                break;
        }

        if (random.NextDouble() < 0.2)
        {
            // Edges off UTC midnight: the service reads the partial days from raw events.
            start = start.AddHours(9.5);
            end = end.AddHours(-3.25);
        }

        var institutions = random.NextDouble() < 0.25
            ? model.Institutions.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(i => i.Id).Distinct().ToArray()
            : [];
        var accounts = random.NextDouble() < 0.15 ? [model.Institutions[random.Next(model.Institutions.Length)].AccountId] : Array.Empty<string>();
        var role = random.NextDouble() < 0.15 ? Pick(random, [("user", 0.5), ("admin", 0.35), ("super", 0.15)]) : string.Empty;
        var user = model.NextUser(random);
        var search = random.NextDouble() < 0.15
            ? (random.NextDouble() < 0.5 ? user.LastName[..Math.Min(4, user.LastName.Length)] : user.FirstName).ToLowerInvariant()
            : string.Empty;
        return new(granularity, start, end, accounts, institutions, role, search);
    }

    /// <summary>A window of <paramref name="days"/> days inside the data, ending mostly in its last week.</summary>
    private static (DateOnly From, DateOnly To) DayWindow(TrafficModel model, Random random, int days)
    {
        days = Math.Min(days, model.Options.Days);
        var to = model.LastDay.AddDays(-Math.Min(RecentOffset(model, random), model.Options.Days - days));
        return (to.AddDays(1 - days), to);
    }

    private static int RecentOffset(TrafficModel model, Random random) =>
        random.NextDouble() < 0.7 ? random.Next(Math.Min(7, model.Options.Days)) : random.Next(model.Options.Days);

    private static T Pick<T>(Random random, (T Value, double Weight)[] choices)
    {
        var roll = random.NextDouble() * choices.Sum(c => c.Weight);
        foreach (var (value, weight) in choices)
        {
            roll -= weight;
            if (roll < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }
}
