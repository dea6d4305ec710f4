namespace Analytics.Api.Features.PromptStats;

/// <summary>One prompt template's calls and cost on one day, as <c>prompt_stats.sql</c> returns them.</summary>
internal sealed class PromptStatsRow
{
    public string PromptId { get; init; } = string.Empty;

    public DateOnly Day { get; init; }

    public long Calls { get; init; }

    public decimal Cost { get; init; }
}
