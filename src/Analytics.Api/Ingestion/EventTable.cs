using Analytics.ClickHouse.ADO;

namespace Analytics.Api.Ingestion;

/// <summary>The raw tables' columns and how an event or quarantined line becomes a row of them.</summary>
public static class EventTable
{
    public static readonly string[] Columns =
    [
        "workspace_id", "event_id", "timestamp", "user_id", "prompt_id", "product_id", "product_name", "user_email",
        "user_fname", "user_lname", "user_role", "account_id", "institution_id", "instance_name", "ai_name", "origin",
        "history_id", "model", "input_tokens", "output_tokens", "cost", "credits", "status", "latency_ms", "ingested_at",
    ];

    public static readonly string[] QuarantineColumns = ["workspace_id", "received_at", "line", "raw", "reason"];

    public static object?[] Row(EventRecord e, DateTime ingestedAt) =>
    [
        e.WorkspaceId, e.EventId, e.Timestamp, e.UserId, e.PromptId, e.ProductId, e.ProductName, e.UserEmail,
        e.UserFname, e.UserLname, e.UserRole, e.AccountId, e.InstitutionId, e.InstanceName, e.AiName, e.Origin,
        e.HistoryId, e.Model, e.InputTokens, e.OutputTokens, e.Cost, e.Credits, e.Status, e.LatencyMs, ingestedAt,
    ];

    public static object?[] Row(QuarantinedLine q) => [q.WorkspaceId, q.ReceivedAt, (uint)q.Line, q.Raw, q.Reason];

    /// <summary>Inserts events and quarantined lines; each insert commits whole or not at all.</summary>
    public static async Task InsertAsync(ClickHouseConnection connection, IReadOnlyList<EventRecord> events, IReadOnlyList<QuarantinedLine> quarantined, DateTime ingestedAt, CancellationToken cancellationToken)
    {
        if (events.Count > 0)
        {
            await connection.CreateBulkWriter("events", Columns).WriteAsync(events.Select(e => Row(e, ingestedAt)), cancellationToken);
        }

        if (quarantined.Count > 0)
        {
            await connection.CreateBulkWriter("quarantine", QuarantineColumns).WriteAsync(quarantined.Select(Row), cancellationToken);
        }
    }
}
