namespace Analytics.LoadTest.Model;

/// <summary>A model and its list prices in USD per 1,000 input and output tokens.</summary>
internal sealed record LlmModel(string Name, decimal InputPer1K, decimal OutputPer1K)
{
    public static readonly LlmModel[] All =
    [
        new("gpt-4o", 0.0025m, 0.01m),
        new("gpt-4o-mini", 0.00015m, 0.0006m),
        new("claude-sonnet-4", 0.003m, 0.015m),
        new("claude-haiku-3.5", 0.0008m, 0.004m),
        new("gemini-2.5-pro", 0.00125m, 0.01m),
        new("llama-3.3-70b", 0.0006m, 0.0006m),
    ];
}
