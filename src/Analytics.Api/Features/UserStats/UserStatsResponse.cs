using System.Text.Json.Serialization;

namespace Analytics.Api.Features.UserStats;

/// <summary>The extract: the window used, at most 5000 rows, and the summary over every matching row.</summary>
public sealed record UserStatsResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("granularity")] string Granularity,
    [property: JsonPropertyName("windowSource")] string WindowSource,
    [property: JsonPropertyName("defaultDaysApplied")] int? DefaultDaysApplied,
    [property: JsonPropertyName("windowStart")] DateTime WindowStart,
    [property: JsonPropertyName("windowEnd")] DateTime WindowEnd,
    [property: JsonPropertyName("data")] IReadOnlyList<UserStatsEntry> Data,
    [property: JsonPropertyName("summary")] UserStatsSummary Summary);
