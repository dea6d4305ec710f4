using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary><c>data</c> of a successful answer: one entry per requested prompt template id, in the order requested.</summary>
public sealed record PromptStatsData(
    [property: JsonPropertyName("stats")] IReadOnlyDictionary<string, PromptTemplateStats> Stats);
