namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>The filters of one request, as the test applies them to its own events.</summary>
internal sealed record ExtractFilter(string[]? Accounts = null, string[]? Institutions = null, string? Role = null, string? Search = null);
