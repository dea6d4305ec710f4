namespace Analytics.LoadTest.Queries;

/// <summary>A request to API C: the extract over the daterange [Start, End) by Granularity, optionally filtered.</summary>
internal sealed record UserStatsCase(
    string Granularity, DateTime Start, DateTime End, string[] Accounts, string[] Institutions, string Role, string Search);
