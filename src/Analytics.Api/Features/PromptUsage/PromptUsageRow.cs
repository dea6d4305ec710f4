using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptUsage;

/// <summary>Prompts one user sent to one product on one UTC day; both the query's row and the answer's.</summary>
public sealed class PromptUsageRow
{
    [JsonPropertyName("product_id")]
    public required Guid ProductId { get; init; }

    [JsonPropertyName("product_name")]
    public required string ProductName { get; init; }

    [JsonPropertyName("user_id")]
    public required string UserId { get; init; }

    [JsonPropertyName("user_email")]
    public required string UserEmail { get; init; }

    [JsonPropertyName("date")]
    public required DateOnly Date { get; init; }

    [JsonPropertyName("prompt_count")]
    public required long PromptCount { get; init; }
}
