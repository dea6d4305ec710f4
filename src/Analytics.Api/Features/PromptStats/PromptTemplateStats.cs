using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary>Calls and cost of one prompt template over the window, with a point per day.</summary>
public sealed record PromptTemplateStats(
    [property: JsonPropertyName("total_calls")] long TotalCalls,
    [property: JsonPropertyName("cost_sum")] decimal CostSum,
    [property: JsonPropertyName("call_sparkline")] IReadOnlyList<SparklinePoint> CallSparkline);
