namespace Analytics.Api.Features.UserStats;

/// <summary>A row of <c>user_stats_people.sql</c>: a user's latest names at one institution, lifetime credits and cap.</summary>
internal sealed class UserStatsPerson
{
    public string User { get; init; } = string.Empty;

    public string Institution { get; init; } = string.Empty;

    public string Email { get; init; } = string.Empty;

    public string Fname { get; init; } = string.Empty;

    public string Lname { get; init; } = string.Empty;

    public string InstanceName { get; init; } = string.Empty;

    public string AiName { get; init; } = string.Empty;

    public decimal LifetimeUsed { get; init; }

    public decimal? CapLimit { get; init; }
}
