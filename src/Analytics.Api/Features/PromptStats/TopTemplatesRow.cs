namespace Analytics.Api.Features.PromptStats;

/// <summary>One template's calls and cost over the window, as <c>prompt_top.sql</c> returns them.</summary>
internal sealed class TopTemplatesRow
{
    public string PromptId { get; init; } = string.Empty;

    public long Calls { get; init; }

    public decimal Cost { get; init; }

    /// <summary>How many templates had calls in the window, listed or not.</summary>
    public long Templates { get; init; }
}
