namespace Analytics.Benchmarks;

/// <summary>A row of the decode benchmark's table, as Dapper materialises it.</summary>
public sealed class DecodedEvent
{
    public ulong Id { get; set; }

    public string User { get; set; } = string.Empty;

    public string PromptId { get; set; } = string.Empty;

    public DateTime At { get; set; }

    public decimal Cost { get; set; }

    public double Latency { get; set; }

    public uint? Tokens { get; set; }
}
