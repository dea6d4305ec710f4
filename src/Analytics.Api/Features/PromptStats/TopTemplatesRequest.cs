using System.Text.Json;

namespace Analytics.Api.Features.PromptStats;

/// <summary>A validated top-templates request: an inclusive window of UTC days and how many templates to list.</summary>
internal sealed record TopTemplatesRequest(DateOnly From, DateOnly To, int Limit)
{
    public const int DefaultLimit = 20;

    /// <summary>As many as one stats request takes, so that the listed ids can be asked for in one go.</summary>
    public const int MaxLimit = PromptStatsRequest.MaxIds;

    /// <summary>Checks, in this order: JSON object (40001), the dates (40002, 40003, 40004), the limit (40006).</summary>
    public static (TopTemplatesRequest? Request, int Code, string Message) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, PromptStatsErrors.InvalidJson, "the body must be a JSON object");
        }

        var (from, to, code, message) = PromptStatsRequest.ParseWindow(body);
        if (code != 0)
        {
            return (null, code, message);
        }

        var limit = DefaultLimit;
        if (body.TryGetProperty("limit", out var element) && element.ValueKind != JsonValueKind.Null
            && (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out limit) || limit < 1 || limit > MaxLimit))
        {
            return (null, PromptStatsErrors.InvalidLimit, $"limit must be an integer from 1 to {MaxLimit}");
        }

        return (new TopTemplatesRequest(from, to, limit), 0, string.Empty);
    }
}
