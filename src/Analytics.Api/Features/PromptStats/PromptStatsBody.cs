using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary>The request body as documented; the handler reads it itself so that every malformation gets the vendor's error code.</summary>
public sealed record PromptStatsBody(
    [property: JsonPropertyName("dateFrom"), Description("Inclusive first UTC day, YYYY-MM-DD.")] string DateFrom,
    [property: JsonPropertyName("dateTo"), Description("Inclusive last UTC day, YYYY-MM-DD; at most 366 days after dateFrom counting both.")] string DateTo,
    [property: JsonPropertyName("prompt_ids"), Description("Non-empty list of prompt template ids, at most 500 distinct.")] string[] PromptIds);
