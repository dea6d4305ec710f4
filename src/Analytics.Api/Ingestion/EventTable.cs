using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;

namespace Analytics.Api.Ingestion;

/// <summary>The raw tables' columns and how an event or quarantined line becomes a row of them.</summary>
public static class EventTable
{
    public static readonly string[] QuarantineColumns = ["workspace_id", "received_at", "line", "raw", "reason"];

    /// <summary>
    /// How an event becomes a row of <c>events</c>, column by column without boxing; <c>ingested_at</c>
    /// comes from the batch being written.
    /// </summary>
    internal static ClickHouseColumnMap<(EventRecord Event, DateTime IngestedAt)> EventMap { get; } = new ClickHouseColumnMap<(EventRecord Event, DateTime IngestedAt)>()
        .Add("workspace_id", r => r.Event.WorkspaceId)
        .Add("event_id", r => r.Event.EventId)
        .Add("timestamp", r => r.Event.Timestamp)
        .Add("user_id", r => r.Event.UserId)
        .Add("prompt_id", r => r.Event.PromptId)
        .Add("product_id", r => r.Event.ProductId)
        .Add("product_name", r => r.Event.ProductName)
        .Add("user_email", r => r.Event.UserEmail)
        .Add("user_fname", r => r.Event.UserFname)
        .Add("user_lname", r => r.Event.UserLname)
        .Add("user_role", r => r.Event.UserRole)
        .Add("account_id", r => r.Event.AccountId)
        .Add("institution_id", r => r.Event.InstitutionId)
        .Add("instance_name", r => r.Event.InstanceName)
        .Add("ai_name", r => r.Event.AiName)
        .Add("origin", r => r.Event.Origin)
        .Add("history_id", r => r.Event.HistoryId)
        .Add("model", r => r.Event.Model)
        .Add("input_tokens", r => r.Event.InputTokens)
        .Add("output_tokens", r => r.Event.OutputTokens)
        .Add("cost", r => r.Event.Cost)
        .Add("credits", r => r.Event.Credits)
        .Add("status", r => r.Event.Status)
        .Add("latency_ms", r => r.Event.LatencyMs)
        .Add("provider", r => r.Event.Provider)
        .Add("operation", r => r.Event.Operation)
        .Add("cache_read_tokens", r => r.Event.CacheReadTokens)
        .Add("cache_creation_tokens", r => r.Event.CacheCreationTokens)
        .Add("reasoning_tokens", r => r.Event.ReasoningTokens)
        .Add("ingested_at", r => r.IngestedAt);

    public static object?[] Row(QuarantinedLine q) => [q.WorkspaceId, q.ReceivedAt, (uint)q.Line, q.Raw, q.Reason];

    /// <summary>Inserts events and quarantined lines; each insert commits whole or not at all.</summary>
    public static async Task InsertAsync(ClickHouseConnection connection, IReadOnlyList<EventRecord> events, IReadOnlyList<QuarantinedLine> quarantined, DateTime ingestedAt, CancellationToken cancellationToken)
    {
        if (events.Count > 0)
        {
            var writer = connection.CreateBulkWriter("events", EventMap.Columns);
            // The rollup views of events fill side by side, on the engine's other threads, rather than one after another.
            writer.Settings["parallel_view_processing"] = "1";
            await writer.WriteAsync(events.Select(e => (e, ingestedAt)), EventMap, cancellationToken);
        }

        if (quarantined.Count > 0)
        {
            await connection.CreateBulkWriter("quarantine", QuarantineColumns).WriteAsync(quarantined.Select(Row), cancellationToken);
        }
    }
}
