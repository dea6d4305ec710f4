using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Analytics.Api.Features.UserStats;

/// <summary>A validated extract request.</summary>
internal sealed partial record UserStatsRequest(
    string Granularity, int? Range, (DateTime Start, DateTime End)? Daterange, string[] Accounts, string[] Institutions, string Role, string Search)
{
    public const int MaxRangePeriods = 10_000;

    public static readonly string[] Roles = ["user", "admin", "super"];

    public static readonly UserStatsRequest Default = new(UserStats.Granularity.Day, null, null, [], [], string.Empty, string.Empty);

    /// <summary>The request, or the first problem found. Unknown fields are ignored; null means absent.</summary>
    public static (UserStatsRequest? Request, string? Error) Parse(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Null)
        {
            return (Default, null);
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, "the body must be a JSON object");
        }

        var granularity = UserStats.Granularity.Day;
        if (Text(body, "granularity", out var g) is { } granularityError)
        {
            return (null, granularityError);
        }

        if (!string.IsNullOrEmpty(g))
        {
            granularity = g.Trim().ToLowerInvariant();
            if (!UserStats.Granularity.All.Contains(granularity))
            {
                return (null, "granularity must be day, week or month");
            }
        }

        if (ParseRange(body, out var range) is { } rangeError)
        {
            return (null, rangeError);
        }

        if (ParseDaterange(body, out var daterange) is { } daterangeError)
        {
            return (null, daterangeError);
        }

        string?[] textErrors =
        [
            Text(body, "account", out var account), Text(body, "institution", out var institution),
            Text(body, "role", out var role), Text(body, "usersearch", out var search),
        ];
        if (textErrors.FirstOrDefault(e => e is not null) is { } textError)
        {
            return (null, textError);
        }

        role = role?.Trim().ToLowerInvariant() ?? string.Empty;
        if (role.Length > 0 && !Roles.Contains(role))
        {
            return (null, "role must be user, admin or super");
        }

        return (new UserStatsRequest(granularity, range, daterange, Ids(account), Ids(institution), role, search ?? string.Empty), null);
    }

    private static string[] Ids(string? list) =>
        list is null ? [] : [.. list.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];

    /// <summary>Reads an optional string field; returns an error when it is present with another JSON type.</summary>
    private static string? Text(JsonElement body, string name, out string? value)
    {
        value = null;
        if (!body.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return $"{name} must be a string";
        }

        value = element.GetString();
        return null;
    }

    private static string? ParseRange(JsonElement body, out int? range)
    {
        range = null;
        if (!body.TryGetProperty("range", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // Clients of the vendor send it as a number or, from form fields, as the number's text.
        var ok = element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt32(out var n) ? n : (int?)null,
            JsonValueKind.String => int.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null,
            _ => null,
        };
        if (ok is not (< 0 and >= -MaxRangePeriods))
        {
            return $"range must be a negative integer from -1 to -{MaxRangePeriods}";
        }

        range = ok;
        return null;
    }

    private static string? ParseDaterange(JsonElement body, out (DateTime Start, DateTime End)? daterange)
    {
        daterange = null;
        if (!body.TryGetProperty("daterange", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object || !Instant(element, "start", out var start) || !Instant(element, "end", out var end))
        {
            return "daterange must be {\"start\", \"end\"} with ISO-8601 date-times";
        }

        if (start > end)
        {
            return "daterange.start must not be after daterange.end";
        }

        daterange = (start, end);
        return null;
    }

    /// <summary>An ISO-8601 date or date-time (UTC unless it names an offset), rounded up to the millisecond events are stored with.</summary>
    private static bool Instant(JsonElement range, string name, out DateTime instant)
    {
        instant = default;
        if (!range.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String
            || element.GetString() is not { } text || !IsoDate().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        // Events carry whole milliseconds: t >= s exactly when t >= ceil(s), and t < e exactly when t < ceil(e).
        var ticks = parsed.UtcTicks;
        var remainder = ticks % TimeSpan.TicksPerMillisecond;
        instant = new DateTime(remainder == 0 ? ticks : ticks - remainder + TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]|$)")]
    private static partial Regex IsoDate();
}
