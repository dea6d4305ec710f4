using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptStats;

/// <summary>The top-templates request body as documented; the handler reads it itself, as the stats API does.</summary>
public sealed record TopTemplatesBody(
    [property: JsonPropertyName("dateFrom"), Description("Inclusive first UTC day, YYYY-MM-DD.")] string DateFrom,
    [property: JsonPropertyName("dateTo"), Description("Inclusive last UTC day, YYYY-MM-DD; at most 366 days after dateFrom counting both.")] string DateTo,
    [property: JsonPropertyName("limit"), Description("How many templates at most, 1 to 500; 20 when absent.")] int? Limit);
