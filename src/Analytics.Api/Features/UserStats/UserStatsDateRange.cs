using System.Text.Json.Serialization;

namespace Analytics.Api.Features.UserStats;

/// <summary>An explicit window: <c>start</c> inclusive, <c>end</c> exclusive, ISO-8601 instants (UTC when no offset is given).</summary>
public sealed record UserStatsDateRange(
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End);
