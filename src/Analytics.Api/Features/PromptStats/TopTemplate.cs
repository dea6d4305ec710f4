using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary>One of the window's most-called templates: the same totals the stats API gives for it.</summary>
public sealed record TopTemplate(
    [property: JsonPropertyName("prompt_id")] string PromptId,
    [property: JsonPropertyName("total_calls")] long TotalCalls,
    [property: JsonPropertyName("cost_sum")] decimal CostSum);
