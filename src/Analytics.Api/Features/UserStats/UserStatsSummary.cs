using System.Text.Json.Serialization;

namespace Analytics.Api.Features.UserStats;

/// <summary>Statistics over the distinct users of every matching row, returned or not.</summary>
public sealed record UserStatsSummary(
    [property: JsonPropertyName("meanCreditsPerUserAccount")] decimal MeanCreditsPerUserAccount,
    [property: JsonPropertyName("meanCreditsPerUserInstitution")] decimal MeanCreditsPerUserInstitution,
    [property: JsonPropertyName("usersAtCap")] long UsersAtCap);
