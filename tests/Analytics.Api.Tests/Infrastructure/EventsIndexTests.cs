using Analytics.Api.Infrastructure;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>
/// The raw events table keeps one data-skipping index, on history_id, which forgetting reads by; the
/// one on event_id, which nothing read, is dropped from existing tables by a migration.
/// </summary>
public sealed class EventsIndexTests() : DatabaseTests("infrastructure_events_index")
{
    private const string Migration = "007_events_without_event_id_index";

    [Test]
    public async Task TheMigration_DropsTheEventIdIndex_FromATableWrittenWithIt()
    {
        // The table as the first migration left it: both indexes, and a part written with both.
        await Connection.ExecuteAsync("ALTER TABLE events ADD INDEX IF NOT EXISTS idx_event_id event_id TYPE bloom_filter GRANULARITY 4");
        await Connection.ExecuteAsync(
            "INSERT INTO events (workspace_id, event_id, timestamp, user_id, history_id, ingested_at) " +
            "VALUES ('w_index', 'e-1', '2025-01-01 10:00:00', 'u1', 'h-1', now64(3))");
        Assert.That(await IndexesAsync(), Is.EqualTo(new[] { "idx_event_id", "idx_history_id" }));

        await RerunMigrationAsync(Migration);

        Assert.Multiple(async () =>
        {
            Assert.That(await IndexesAsync(), Is.EqualTo(new[] { "idx_history_id" }));
            Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE workspace_id = 'w_index' AND event_id = 'e-1'"), Is.EqualTo(1UL));
        });
    }

    [Test]
    public async Task ForgettingReadsAHistorysEvents_ThroughTheHistoryIndex()
    {
        // Many granules of other histories, so the index has something to skip.
        await Connection.ExecuteAsync(
            "INSERT INTO events (workspace_id, event_id, timestamp, user_id, history_id, product_id, ingested_at) " +
            "SELECT 'w_forget', concat('e-', toString(number)), toDateTime64('2025-01-01 00:00:00', 3, 'UTC') + number, 'u1', " +
            "concat('h-', toString(number)), generateUUIDv4(), now64(3) FROM numbers(100000)");

        // One of forgetting's statements; EXPLAIN takes the SELECT of its INSERT.
        var statement = SqlFiles.Query("forget_product_user_daily");
        var plan = string.Join('\n', await Connection.QueryAsync<string>(
            "EXPLAIN indexes = 1 " + statement[statement.IndexOf("SELECT", StringComparison.Ordinal)..],
            QueryParameters.From(new { workspace = "w_forget", ids = new[] { "h-42" } })));

        Assert.That(plan, Does.Contain("idx_history_id"));
    }

    private async Task<string[]> IndexesAsync() =>
        [.. await Connection.QueryAsync<string>(
            "SELECT name FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = 'events' ORDER BY name")];
}
