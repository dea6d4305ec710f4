namespace Analytics.Api.Features.UserStats;

/// <summary>The row of <c>user_stats_summary.sql</c>: the summary's parts over every matching row.</summary>
internal sealed class UserStatsTotals
{
    public static readonly UserStatsTotals None = new();

    /// <summary>Credits of every matching row.</summary>
    public decimal TotalCredits { get; init; }

    /// <summary>Distinct users of every matching row.</summary>
    public long UserCount { get; init; }

    public long UsersAtCap { get; init; }

    public long InstitutionCount { get; init; }

    /// <summary>The sum over institutions of each one's credits per distinct user (12 decimals).</summary>
    public decimal InstitutionMeanSum { get; init; }
}
