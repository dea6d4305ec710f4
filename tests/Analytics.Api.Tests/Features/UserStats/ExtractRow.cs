namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>One row of the extract, as the test expects it and as it reads it back from JSON or CSV.</summary>
internal sealed record ExtractRow(
    string User, string Email, string Fname, string Lname, string Institution, string InstanceName, string AiName, string PeriodStart,
    long QueryCount, decimal CreditsUsed, decimal LifetimeUsed, decimal? CapLimit, decimal? CapUsedPct, bool AtCap)
{
    public static ExtractRow FromJson(JsonElement r) => new(
        r.GetProperty("user").GetString()!, r.GetProperty("email").GetString()!, r.GetProperty("fname").GetString()!,
        r.GetProperty("lname").GetString()!, r.GetProperty("institution").GetString()!, r.GetProperty("instanceName").GetString()!,
        r.GetProperty("aiName").GetString()!, r.GetProperty("periodStart").GetString()!, r.GetProperty("queryCount").GetInt64(),
        r.GetProperty("creditsUsed").GetDecimal(), r.GetProperty("lifetimeUsed").GetDecimal(),
        r.GetProperty("capLimit").ValueKind == JsonValueKind.Null ? null : r.GetProperty("capLimit").GetDecimal(),
        r.GetProperty("capUsedPct").ValueKind == JsonValueKind.Null ? null : r.GetProperty("capUsedPct").GetDecimal(),
        r.GetProperty("atCap").GetBoolean());
}
