namespace Analytics.LoadTest.Queries;

/// <summary>A request to API B: prompt usage over [Start, End] (UTC days, inclusive), optionally filtered.</summary>
internal sealed record PromptUsageCase(Guid PathProduct, DateOnly Start, DateOnly End, Guid[] ProductIds, string Search, string Origin);
