namespace Analytics.LoadTest.Queries;

/// <summary>A request to API A: stats of some prompt templates over [From, To] (UTC days, inclusive).</summary>
internal sealed record PromptStatsCase(DateOnly From, DateOnly To, string[] PromptIds);
