using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Formats;

namespace Analytics.Api.Ingestion;

/// <summary>The raw tables' columns and how an event or quarantined line becomes a row of them.</summary>
public static class EventTable
{
    public static readonly string[] QuarantineColumns = ["workspace_id", "received_at", "line", "raw", "reason"];

    /// <summary>The insert of event batches (<see cref="EventBatch.WriteBlock"/>), naming every column the block holds.</summary>
    private static readonly string EventsInsert = $"INSERT INTO events ({string.Join(", ", EventBatch.Columns.Select(ClickHouseSql.QuoteIdentifier))})";

    /// <summary>The rollup views of events fill side by side, on the engine's other threads, rather than one after another.</summary>
    private static readonly Dictionary<string, string> EventsInsertSettings = new(StringComparer.Ordinal) { ["parallel_view_processing"] = "1" };

    public static object?[] Row(QuarantinedLine q) => [q.WorkspaceId, q.ReceivedAt, (uint)q.Line, q.Raw, q.Reason];

    /// <summary>Inserts events and quarantined lines; each insert commits whole or not at all.</summary>
    internal static async Task InsertAsync(ClickHouseConnection connection, IReadOnlyList<EventRows> events, IReadOnlyList<QuarantinedLine> quarantined, DateTime ingestedAt, CancellationToken cancellationToken)
    {
        if (events.Sum(part => part.Count) > 0)
        {
            // One block for the whole batch: the requests' columns are copied into it side by side.
            using var block = new NativeWriter(events.Sum(part => part.Batch.Bytes) + 4096, IngestionBuffers.Bodies);
            EventBatch.WriteBlock(block, events, ingestedAt);
            await connection.InsertRawAsync(EventsInsert, "Native", [block.WrittenMemory], cancellationToken, EventsInsertSettings);
        }

        if (quarantined.Count > 0)
        {
            await connection.CreateBulkWriter("quarantine", QuarantineColumns).WriteAsync(quarantined.Select(Row), cancellationToken);
        }
    }
}
