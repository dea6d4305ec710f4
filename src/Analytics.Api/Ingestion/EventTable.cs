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

    public static object?[] Row(QuarantinedLine q) => [q.WorkspaceId, q.ReceivedAt, (uint)q.Line, q.Raw, q.Reason];

    /// <summary>
    /// One Native block of the batch's events, the requests' columns copied into it side by side; null when
    /// there is no event. The caller disposes it (its buffer is pooled).
    /// </summary>
    internal static NativeWriter? Block(IReadOnlyList<EventRows> events, DateTime ingestedAt)
    {
        if (events.Sum(part => part.Count) == 0)
        {
            return null;
        }

        var block = new NativeWriter(events.Sum(part => part.Batch.Bytes) + 4096, IngestionBuffers.Bodies);
        EventBatch.WriteBlock(block, events, ingestedAt);
        return block;
    }

    /// <summary>
    /// Inserts a block of events (<see cref="Block"/>) under <paramref name="token"/>, then the quarantined lines.
    /// The block writes a part to events and one to each table a view fills; the parts commit one by one, so an
    /// insert cut short can leave some tables with the block and some without. Sent again with the same token,
    /// the block is skipped by the tables that hold it and written to the others (migration 015), which makes
    /// a retry, or a replay after a crash, exact.
    /// </summary>
    internal static async Task InsertAsync(ClickHouseConnection connection, ReadOnlyMemory<byte> block, string token, IReadOnlyList<QuarantinedLine> quarantined, CancellationToken cancellationToken)
    {
        if (!block.IsEmpty)
        {
            await connection.InsertRawAsync(EventsInsert, "Native", [block], cancellationToken, InsertSettings(token));
        }

        if (quarantined.Count > 0)
        {
            await connection.CreateBulkWriter("quarantine", QuarantineColumns).WriteAsync(quarantined.Select(Row), cancellationToken);
        }
    }

    /// <summary>
    /// The views fill side by side, on the engine's other threads, rather than one after another; each view's
    /// part is de-duplicated by a token derived from the block's (the default from ClickHouse 26, not before).
    /// </summary>
    private static Dictionary<string, string> InsertSettings(string token) => new(StringComparer.Ordinal)
    {
        ["parallel_view_processing"] = "1",
        ["insert_deduplicate"] = "1",
        ["deduplicate_blocks_in_dependent_materialized_views"] = "1",
        ["insert_deduplication_token"] = token,
    };
}
