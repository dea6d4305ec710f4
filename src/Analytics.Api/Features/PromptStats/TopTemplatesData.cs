using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary><c>data</c> of a top-templates answer: the templates by calls, most first, and how many had calls at all.</summary>
public sealed record TopTemplatesData(
    [property: JsonPropertyName("templates")] IReadOnlyList<TopTemplate> Templates,
    [property: JsonPropertyName("total_templates")] long TotalTemplates);
