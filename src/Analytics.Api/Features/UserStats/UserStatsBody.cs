using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Analytics.Api.Features.UserStats;

/// <summary>The request body as documented; every field is optional. The handler reads it itself so that any malformation answers 400 in the API's shape.</summary>
public sealed class UserStatsBody
{
    [JsonPropertyName("granularity"), Description("Bucket size for the period column: day (default), week (starting Monday) or month; UTC.")]
    public string? Granularity { get; init; }

    [JsonPropertyName("range"), Description("Number of periods to look back, negative (-1 to -10000): that many periods, the current one included.")]
    public int? Range { get; init; }

    [JsonPropertyName("daterange"), Description("Explicit [start, end) window; takes precedence over range.")]
    public UserStatsDateRange? Daterange { get; init; }

    [JsonPropertyName("account"), Description("Space-separated account ids to scope the query.")]
    public string? Account { get; init; }

    [JsonPropertyName("institution"), Description("Space-separated institution ids to scope the query.")]
    public string? Institution { get; init; }

    [JsonPropertyName("role"), Description("Only usage made in this role: user, admin or super.")]
    public string? Role { get; init; }

    [JsonPropertyName("usersearch"), Description("Case-insensitive substring matched against email / fname / lname.")]
    public string? Usersearch { get; init; }
}
