using System.Globalization;
using System.Text.Json;

namespace Analytics.Api.Features.PromptStats;

/// <summary>A validated request: an inclusive window of UTC days and the distinct prompt ids in the order first given.</summary>
internal sealed record PromptStatsRequest(DateOnly From, DateOnly To, string[] PromptIds)
{
    public const int MaxDays = 366;
    public const int MaxIds = 500;

    // Dates a ClickHouse Date column can hold; outside them a parameter would be clamped, not refused.
    private static readonly DateOnly MinDate = new(1970, 1, 1);
    private static readonly DateOnly MaxDate = new(2149, 6, 6);

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>
    /// Reads the body, checking in this order: JSON object (40001), prompt_ids (40050), their count
    /// (40005), the dates' format (40002), their order (40003), the window's length (40004).
    /// </summary>
    public static (PromptStatsRequest? Request, int Code, string Message) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Fail(PromptStatsErrors.InvalidJson, "the body must be a JSON object");
        }

        if (!body.TryGetProperty("prompt_ids", out var idsElement) || idsElement.ValueKind != JsonValueKind.Array || idsElement.GetArrayLength() == 0)
        {
            return Fail(PromptStatsErrors.PromptIdsMissing, "prompt_ids must be a non-empty array");
        }

        if (idsElement.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String))
        {
            return Fail(PromptStatsErrors.PromptIdsMissing, "prompt_ids must be an array of strings");
        }

        var ids = idsElement.EnumerateArray().Select(id => id.GetString()!).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length > MaxIds)
        {
            return Fail(PromptStatsErrors.TooManyIds, $"at most {MaxIds} prompt_ids per request");
        }

        var (from, to, code, message) = ParseWindow(body);
        return code != 0 ? Fail(code, message) : (new PromptStatsRequest(from, to, ids), 0, string.Empty);
    }

    /// <summary>
    /// The window's days, checking the dates' format (40002), their order (40003) and the window's length
    /// (40004); code 0 when they are fine. The top-templates API reads its window the same way.
    /// </summary>
    internal static (DateOnly From, DateOnly To, int Code, string Message) ParseWindow(JsonElement body)
    {
        if (!TryDate(body, "dateFrom", out var from) || !TryDate(body, "dateTo", out var to))
        {
            return (default, default, PromptStatsErrors.InvalidDate, "dateFrom and dateTo must be dates as YYYY-MM-DD");
        }

        if (from > to)
        {
            return (default, default, PromptStatsErrors.DatesReversed, "dateFrom must not be after dateTo");
        }

        return to.DayNumber - from.DayNumber + 1 > MaxDays
            ? (default, default, PromptStatsErrors.WindowTooLong, $"the window may span at most {MaxDays} days")
            : (from, to, 0, string.Empty);
    }

    private static bool TryDate(JsonElement body, string name, out DateOnly date)
    {
        date = default;
        return body.TryGetProperty(name, out var element)
            && element.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(element.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
            && date >= MinDate && date <= MaxDate;
    }

    private static (PromptStatsRequest?, int, string) Fail(int code, string message) => (null, code, message);
}
