using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary>The analytics vendor's envelope: code <c>0</c> and message <c>success</c>, or an error code and message with null data.</summary>
public sealed record AnalyticsResponse<T>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] T? Data);
