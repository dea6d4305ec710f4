using System.Globalization;

namespace Analytics.Api.Features.PromptUsage;

/// <summary>A validated prompt-usage request.</summary>
internal sealed record PromptUsageQuery(Guid ProductId, DateOnly Start, DateOnly End, Guid[] ProductIds, string Search, string Origin)
{
    public static readonly string[] Origins = ["APP", "SLACK", "API_KEY"];

    private const string OriginsText = "'APP', 'SLACK' or 'API_KEY'";
    private static readonly DateOnly MinDate = new(1970, 1, 1);
    private static readonly DateOnly MaxDate = new(2149, 6, 6);

    /// <summary>The query, or every problem with the request in pydantic's words, path first, then query parameters in order.</summary>
    public static (PromptUsageQuery? Query, List<ValidationError> Errors) Parse(PromptUsageParameters parameters)
    {
        var errors = new List<ValidationError>();
        var productId = ParseUuid(parameters.ProductId, ["path", "product_id"], errors);
        var start = ParseDate(parameters.StartDate, "start_date", errors);
        var end = ParseDate(parameters.EndDate, "end_date", errors);
        var products = (parameters.ProductIds ?? []).Select((text, i) => ParseUuid(text, ["query", "product_ids", i], errors)).ToArray();
        if (parameters.Origin is { } origin && !Origins.Contains(origin, StringComparer.Ordinal))
        {
            errors.Add(new(["query", "origin"], $"Input should be {OriginsText}", "enum", origin));
        }

        if (start is { } s && end is { } e && s > e)
        {
            errors.Add(new(["query", "end_date"], "Value error, end_date must be on or after start_date", "value_error", parameters.EndDate));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var query = new PromptUsageQuery(
            productId!.Value, start!.Value, end!.Value, [.. products.Select(p => p!.Value).Distinct()], parameters.Search ?? string.Empty, parameters.Origin ?? string.Empty);
        return (query, errors);
    }

    private static Guid? ParseUuid(string? text, object[] loc, List<ValidationError> errors)
    {
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        errors.Add(new(loc, "Input should be a valid UUID, unable to parse string as a UUID", "uuid_parsing", text));
        return null;
    }

    private static DateOnly? ParseDate(string? text, string name, List<ValidationError> errors)
    {
        if (text is null)
        {
            errors.Add(new(["query", name], "Field required", "missing", null));
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date >= MinDate && date <= MaxDate)
        {
            return date;
        }

        errors.Add(new(["query", name], "Input should be a valid date or datetime, expected YYYY-MM-DD", "date_from_datetime_parsing", text));
        return null;
    }
}
