using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptUsage;

/// <summary>FastAPI's answer to a request it cannot authorize: <c>{"detail": "..."}</c>.</summary>
public sealed record ErrorDetail([property: JsonPropertyName("detail")] string Detail);
