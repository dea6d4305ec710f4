namespace Analytics.LoadTest.Queries;

/// <summary>The three query APIs, as the report names them.</summary>
internal static class ApiNames
{
    public const string PromptStats = "A prompt-template stats";
    public const string PromptUsage = "B prompt usage";
    public const string UserStats = "C user-stats extract";

    public static readonly string[] All = [PromptStats, PromptUsage, UserStats];
}
