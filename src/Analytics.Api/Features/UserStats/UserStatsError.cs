using System.Text.Json.Serialization;

namespace Analytics.Api.Features.UserStats;

/// <summary>The API's error shape: <c>{"success": false, "error": "..."}</c>.</summary>
public sealed record UserStatsError(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("error")] string Error);
