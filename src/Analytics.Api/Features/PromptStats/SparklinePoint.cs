using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary>Calls on one UTC day (zero when there were none).</summary>
public sealed record SparklinePoint(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("value")] long Value);
