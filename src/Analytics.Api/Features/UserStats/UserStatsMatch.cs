namespace Analytics.Api.Features.UserStats;

/// <summary>A row of <c>user_stats_matches.sql</c>: a user, at one institution, whose latest profile a usersearch matched.</summary>
internal sealed class UserStatsMatch
{
    public string User { get; init; } = string.Empty;

    public string Institution { get; init; } = string.Empty;
}
