namespace Analytics.Api.Ingestion;

/// <summary>One validated call event, normalised: UTC millisecond time, defaults filled in.</summary>
public sealed class EventRecord
{
    public string WorkspaceId { get; set; } = string.Empty;

    public string EventId { get; set; } = string.Empty;

    public DateTime Timestamp { get; set; }

    public string UserId { get; set; } = string.Empty;

    public string PromptId { get; set; } = string.Empty;

    public Guid ProductId { get; set; }

    public string ProductName { get; set; } = string.Empty;

    public string UserEmail { get; set; } = string.Empty;

    public string UserFname { get; set; } = string.Empty;

    public string UserLname { get; set; } = string.Empty;

    public string UserRole { get; set; } = "user";

    public string AccountId { get; set; } = string.Empty;

    public string InstitutionId { get; set; } = string.Empty;

    public string InstanceName { get; set; } = string.Empty;

    public string AiName { get; set; } = string.Empty;

    public string Origin { get; set; } = "APP";

    public string HistoryId { get; set; } = string.Empty;

    public string Model { get; set; } = string.Empty;

    public uint InputTokens { get; set; }

    public uint OutputTokens { get; set; }

    public string Provider { get; set; } = string.Empty;

    public string Operation { get; set; } = string.Empty;

    public uint CacheReadTokens { get; set; }

    public uint CacheCreationTokens { get; set; }

    public uint ReasoningTokens { get; set; }

    public decimal Cost { get; set; }

    public decimal Credits { get; set; }

    public string Status { get; set; } = "ok";

    public uint LatencyMs { get; set; }
}

/// <summary>A line that failed validation, kept verbatim with the reason.</summary>
public sealed record QuarantinedLine(string WorkspaceId, DateTime ReceivedAt, int Line, string Raw, string Reason);
