namespace Analytics.Api.Features.UserStats;

/// <summary>A row of <c>user_stats.sql</c>: one entry, plus the summary's parts repeated on every row.</summary>
internal sealed class UserStatsRow
{
    public string User { get; init; } = string.Empty;

    public string Email { get; init; } = string.Empty;

    public string Fname { get; init; } = string.Empty;

    public string Lname { get; init; } = string.Empty;

    public string Institution { get; init; } = string.Empty;

    public string InstanceName { get; init; } = string.Empty;

    public string AiName { get; init; } = string.Empty;

    public DateOnly PeriodStart { get; init; }

    public long QueryCount { get; init; }

    public decimal CreditsUsed { get; init; }

    public decimal LifetimeUsed { get; init; }

    public decimal? CapLimit { get; init; }

    public bool AtCap { get; init; }

    /// <summary>Credits of every matching row.</summary>
    public decimal TotalCredits { get; init; }

    /// <summary>Distinct users of every matching row.</summary>
    public long UserCount { get; init; }

    public long UsersAtCap { get; init; }

    public long InstitutionCount { get; init; }

    /// <summary>The sum over institutions of each one's credits per distinct user (12 decimals).</summary>
    public decimal InstitutionMeanSum { get; init; }
}
