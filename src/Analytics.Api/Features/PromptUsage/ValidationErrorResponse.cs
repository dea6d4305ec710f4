using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptUsage;

/// <summary>FastAPI's 422 answer: every problem found, not just the first.</summary>
public sealed record ValidationErrorResponse([property: JsonPropertyName("detail")] IReadOnlyList<ValidationError> Detail);
