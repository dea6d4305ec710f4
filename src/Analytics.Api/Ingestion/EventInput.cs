using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Analytics.Api.Ingestion;

/// <summary>
/// One event as the gateway sends it; this type documents the contract in the OpenAPI document
/// (<see cref="EventParser"/> reads the lines itself, to refuse each bad one on its own).
/// </summary>
public sealed class EventInput
{
    [JsonPropertyName("event_id"), Required, StringLength(EventParser.MaxIdLength, MinimumLength = 1)]
    public required string EventId { get; init; }

    [JsonPropertyName("timestamp"), Required, Description("RFC 3339 with an offset; stored as UTC with milliseconds; from 1970-01-01T00:00:00.000Z to 2149-06-06T23:59:59.999Z")]
    public required DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("user_id"), Required, StringLength(EventParser.MaxTextLength, MinimumLength = 1)]
    public required string UserId { get; init; }

    [JsonPropertyName("prompt_id"), StringLength(EventParser.MaxTextLength)]
    public string? PromptId { get; init; }

    [JsonPropertyName("product_id")]
    public Guid? ProductId { get; init; }

    [JsonPropertyName("product_name"), StringLength(EventParser.MaxTextLength)]
    public string? ProductName { get; init; }

    [JsonPropertyName("user_email"), StringLength(EventParser.MaxEmailLength)]
    public string? UserEmail { get; init; }

    [JsonPropertyName("user_fname"), StringLength(EventParser.MaxTextLength)]
    public string? UserFname { get; init; }

    [JsonPropertyName("user_lname"), StringLength(EventParser.MaxTextLength)]
    public string? UserLname { get; init; }

    [JsonPropertyName("user_role"), AllowedValues("user", "admin", "super")]
    public string? UserRole { get; init; }

    [JsonPropertyName("account_id"), StringLength(EventParser.MaxTextLength)]
    public string? AccountId { get; init; }

    [JsonPropertyName("institution_id"), StringLength(EventParser.MaxTextLength)]
    public string? InstitutionId { get; init; }

    [JsonPropertyName("instance_name"), StringLength(EventParser.MaxTextLength)]
    public string? InstanceName { get; init; }

    [JsonPropertyName("ai_name"), StringLength(EventParser.MaxTextLength)]
    public string? AiName { get; init; }

    [JsonPropertyName("origin"), AllowedValues("APP", "SLACK", "API_KEY")]
    public string? Origin { get; init; }

    [JsonPropertyName("history_id"), StringLength(EventParser.MaxTextLength)]
    public string? HistoryId { get; init; }

    [JsonPropertyName("model"), StringLength(EventParser.MaxTextLength)]
    public string? Model { get; init; }

    [JsonPropertyName("input_tokens")]
    public uint? InputTokens { get; init; }

    [JsonPropertyName("output_tokens")]
    public uint? OutputTokens { get; init; }

    [JsonPropertyName("cost"), Range(0d, 1e9, MaximumIsExclusive = true), Description("USD, at most 9 decimals, below 1e9")]
    public decimal? Cost { get; init; }

    [JsonPropertyName("credits"), Range(0d, 1e9, MaximumIsExclusive = true), Description("at most 6 decimals, below 1e9")]
    public decimal? Credits { get; init; }

    [JsonPropertyName("status"), AllowedValues("ok", "error")]
    public string? Status { get; init; }

    [JsonPropertyName("latency_ms")]
    public uint? LatencyMs { get; init; }

    [JsonPropertyName("provider"), StringLength(EventParser.MaxTextLength), Description("who served the call, e.g. openai (OpenTelemetry's gen_ai.provider.name)")]
    public string? Provider { get; init; }

    [JsonPropertyName("operation"), StringLength(EventParser.MaxTextLength), Description("the kind of call, e.g. chat or embeddings (gen_ai.operation.name)")]
    public string? Operation { get; init; }

    [JsonPropertyName("cache_read_tokens"), Description("input tokens served from the provider's cache")]
    public uint? CacheReadTokens { get; init; }

    [JsonPropertyName("cache_creation_tokens"), Description("input tokens written to the provider's cache")]
    public uint? CacheCreationTokens { get; init; }

    [JsonPropertyName("reasoning_tokens"), Description("output tokens spent on reasoning")]
    public uint? ReasoningTokens { get; init; }
}
