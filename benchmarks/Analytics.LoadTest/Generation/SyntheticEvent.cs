using Analytics.LoadTest.Model;

namespace Analytics.LoadTest.Generation;

/// <summary>One gateway call event; the generator refills a single instance for every event.</summary>
internal sealed class SyntheticEvent
{
    public Guid EventId { get; set; }

    public DateTime Timestamp { get; set; }

    public SyntheticUser User { get; set; } = null!;

    public Institution Institution { get; set; } = null!;

    /// <summary>Null for the few calls made outside any product.</summary>
    public Product? Product { get; set; }

    /// <summary>Null for calls that used no prompt template.</summary>
    public string? PromptId { get; set; }

    public string Origin { get; set; } = "APP";

    public string HistoryId { get; set; } = string.Empty;

    public string Model { get; set; } = string.Empty;

    public uint InputTokens { get; set; }

    public uint OutputTokens { get; set; }

    public decimal Cost { get; set; }

    public decimal Credits { get; set; }

    public bool Failed { get; set; }

    public uint LatencyMs { get; set; }
}
