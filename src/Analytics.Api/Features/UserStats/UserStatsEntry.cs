using System.Text.Json.Serialization;

namespace Analytics.Api.Features.UserStats;

/// <summary>One user's usage in one institution and period.</summary>
public sealed record UserStatsEntry(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("fname")] string Fname,
    [property: JsonPropertyName("lname")] string Lname,
    [property: JsonPropertyName("institution")] string Institution,
    [property: JsonPropertyName("instanceName")] string InstanceName,
    [property: JsonPropertyName("aiName")] string AiName,
    [property: JsonPropertyName("periodStart")] DateTime PeriodStart,
    [property: JsonPropertyName("queryCount")] long QueryCount,
    [property: JsonPropertyName("creditsUsed")] decimal CreditsUsed,
    [property: JsonPropertyName("lifetimeUsed")] decimal LifetimeUsed,
    [property: JsonPropertyName("capLimit")] decimal? CapLimit,
    [property: JsonPropertyName("capUsedPct")] decimal? CapUsedPct,
    [property: JsonPropertyName("atCap")] bool AtCap);
