using Analytics.Api.Ingestion;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks;

/// <summary>
/// Encoding 50,000 parsed events into Native blocks of the <c>events</c> table, without the engine,
/// batched as the bulk writer batches them: the service's typed column map
/// (<see cref="EventTable.EventMap"/>) against the object rows it replaced (baseline), so the ratio is
/// what the map saves per event.
/// </summary>
[Rows(EventCount)]
// An operation takes milliseconds, not seconds: 4 of them per iteration reach the 100 ms BenchmarkDotNet asks of one.
[InvocationCount(4)]
public class IngestionEncodeBenchmarks
{
    public const int EventCount = 50_000;

    /// <summary>The columns of <c>events</c> as sql/schema/001_events.sql and 011_events_genai_fields.sql declare them, in the map's order.</summary>
    private static readonly (string Name, string Type)[] Columns =
    [
        ("workspace_id", "LowCardinality(String)"),
        ("event_id", "String"),
        ("timestamp", "DateTime64(3, 'UTC')"),
        ("user_id", "String"),
        ("prompt_id", "String"),
        ("product_id", "UUID"),
        ("product_name", "String"),
        ("user_email", "String"),
        ("user_fname", "String"),
        ("user_lname", "String"),
        ("user_role", "LowCardinality(String)"),
        ("account_id", "String"),
        ("institution_id", "String"),
        ("instance_name", "String"),
        ("ai_name", "String"),
        ("origin", "LowCardinality(String)"),
        ("history_id", "String"),
        ("model", "LowCardinality(String)"),
        ("input_tokens", "UInt32"),
        ("output_tokens", "UInt32"),
        ("cost", "Decimal(18, 9)"),
        ("credits", "Decimal(18, 6)"),
        ("status", "LowCardinality(String)"),
        ("latency_ms", "UInt32"),
        ("provider", "LowCardinality(String)"),
        ("operation", "LowCardinality(String)"),
        ("cache_read_tokens", "UInt32"),
        ("cache_creation_tokens", "UInt32"),
        ("reasoning_tokens", "UInt32"),
        ("ingested_at", "DateTime64(3, 'UTC')"),
    ];

    private static readonly DateTime IngestedAt = new(2026, 11, 20, 12, 0, 0, 123, DateTimeKind.Utc);

    private List<EventRecord> events = null!;
    private string[] names = null!;
    private ClickHouseType[] types = null!;
    private object?[][] objectRows = null!;

    [GlobalSetup]
    public void SetUp()
    {
        var parsed = EventParser.Parse(IngestionParseBenchmarks.GatewayNdjson(EventCount), json: false, IngestionParseBenchmarks.Workspace);
        IngestionParseBenchmarks.Check(parsed, EventCount);
        events = parsed.Events.Select(e => e.Event).ToList();
        names = Columns.Select(c => c.Name).ToArray();
        types = Columns.Select(c => ClickHouseType.Parse(c.Type)).ToArray();
        if (!EventTable.EventMap.Columns.SequenceEqual(names, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"EventTable.EventMap maps ({string.Join(", ", EventTable.EventMap.Columns)}); the benchmark's column list is out of date.");
        }

        objectRows = events.Select(e => Row(e, IngestedAt)).ToArray();

        // Both paths must write the very same bytes, or the ratio compares different work.
        using var mapped = new NativeWriter();
        EventTable.EventMap.EncodeBlock(mapped, types, events.Select(e => (e, IngestedAt)).ToList());
        using var boxed = new NativeWriter();
        ClickHouseBulkWriter.EncodeBlock(boxed, names, types, objectRows);
        if (!mapped.WrittenMemory.Span.SequenceEqual(boxed.WrittenMemory.Span))
        {
            throw new InvalidOperationException("The column map and the object rows encode different blocks.");
        }
    }

    [Benchmark(Baseline = true, Description = "Object rows per event + ClickHouseBulkWriter.EncodeBlock (the old path)")]
    public long ObjectRows() =>
        Encode(events.Select(e => Row(e, IngestedAt)), (writer, block) => ClickHouseBulkWriter.EncodeBlock(writer, names, types, block));

    [Benchmark(Description = "EventTable.EventMap + ClickHouseColumnMap.EncodeBlock (the service)")]
    public long ColumnMap() =>
        Encode(events.Select(e => (e, IngestedAt)), (writer, block) => EventTable.EventMap.EncodeBlock(writer, types, block));

    // Not a service path: the old path's encoding share, its object rows and boxes built in setup.
    [Benchmark(Description = "ClickHouseBulkWriter.EncodeBlock only, object rows built in setup")]
    public long ObjectRowsEncodeOnly() =>
        Encode(objectRows, (writer, block) => ClickHouseBulkWriter.EncodeBlock(writer, names, types, block));

    /// <summary>An event as a row of <c>events</c> in <see cref="Columns"/> order, as EventTable built it before the column map.</summary>
    private static object?[] Row(EventRecord e, DateTime ingestedAt) =>
    [
        e.WorkspaceId, e.EventId, e.Timestamp, e.UserId, e.PromptId, e.ProductId, e.ProductName, e.UserEmail,
        e.UserFname, e.UserLname, e.UserRole, e.AccountId, e.InstitutionId, e.InstanceName, e.AiName, e.Origin,
        e.HistoryId, e.Model, e.InputTokens, e.OutputTokens, e.Cost, e.Credits, e.Status, e.LatencyMs,
        e.Provider, e.Operation, e.CacheReadTokens, e.CacheCreationTokens, e.ReasoningTokens, ingestedAt,
    ];

    /// <summary>
    /// Cuts <paramref name="rows"/> into blocks and encodes each as <c>ClickHouseBulkWriter.WriteAsync</c>
    /// does (a fresh writer and batch list per call); returns the bytes encoded.
    /// </summary>
    private static long Encode<TRow>(IEnumerable<TRow> rows, Action<NativeWriter, List<TRow>> encode)
    {
        using var writer = new NativeWriter();
        var batch = new List<TRow>(ClickHouseDefaults.BulkBlockRows);
        long bytes = 0;
        foreach (var row in rows)
        {
            batch.Add(row);
            if (batch.Count == ClickHouseDefaults.BulkBlockRows)
            {
                bytes += EncodeBatch(writer, batch, encode);
            }
        }

        return batch.Count > 0 ? bytes + EncodeBatch(writer, batch, encode) : bytes;
    }

    private static long EncodeBatch<TRow>(NativeWriter writer, List<TRow> batch, Action<NativeWriter, List<TRow>> encode)
    {
        writer.Clear();
        encode(writer, batch);
        batch.Clear();
        return writer.Length;
    }
}
