namespace Analytics.Api.Features.UserStats;

/// <summary>A row of <c>user_stats_page.sql</c>: a user's usage at one institution in one period.</summary>
internal sealed class UserStatsUsage
{
    public string User { get; init; } = string.Empty;

    public string Institution { get; init; } = string.Empty;

    public DateOnly PeriodStart { get; init; }

    public long QueryCount { get; init; }

    public decimal CreditsUsed { get; init; }
}
