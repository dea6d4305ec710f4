namespace Analytics.Api.Tests.Features.UserStats;

internal sealed record ExtractSummary(decimal MeanCreditsPerUserAccount, decimal MeanCreditsPerUserInstitution, long UsersAtCap)
{
    public static ExtractSummary FromJson(JsonElement s) => new(
        s.GetProperty("meanCreditsPerUserAccount").GetDecimal(), s.GetProperty("meanCreditsPerUserInstitution").GetDecimal(), s.GetProperty("usersAtCap").GetInt64());
}
