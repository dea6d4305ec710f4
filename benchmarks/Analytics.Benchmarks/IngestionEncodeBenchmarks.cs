using Analytics.Api.Ingestion;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;
using BenchmarkDotNet.Attributes;
using RequestEvents = Analytics.Api.Ingestion.EventRows;

namespace Analytics.Benchmarks;

/// <summary>
/// Encoding 50,000 parsed events, as 25 requests of 2,000 arrive for one batch, into the Native block of
/// the <c>events</c> table, without the engine: the service's copy of the requests' columns
/// (<see cref="EventBatch.WriteBlock"/>) against the typed column map over one record per event that it
/// replaced (baseline), and against the object rows before that. All three write the very same bytes.
/// </summary>
[Rows(EventCount)]
// An operation takes milliseconds, not seconds: 4 of them per iteration reach the 100 ms BenchmarkDotNet asks of one.
[InvocationCount(4)]
public class IngestionEncodeBenchmarks
{
    public const int EventCount = 50_000;

    /// <summary>The columns of <c>events</c> as sql/schema/001_events.sql and 011_events_genai_fields.sql declare them, in the block's order.</summary>
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

    /// <summary>How the service mapped a record to a row of <c>events</c> before events stayed in columns.</summary>
    private static readonly ClickHouseColumnMap<(EventRecord Event, DateTime IngestedAt)> RecordMap = new ClickHouseColumnMap<(EventRecord Event, DateTime IngestedAt)>()
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

    private static readonly DateTime IngestedAt = new(2026, 11, 20, 12, 0, 0, 123, DateTimeKind.Utc);

    private RequestEvents[] requests = [];
    private List<EventRecord> events = null!;
    private string[] names = null!;
    private ClickHouseType[] types = null!;

    [GlobalSetup]
    public void SetUp()
    {
        var ndjson = IngestionParseBenchmarks.GatewayNdjson(EventCount);
        requests = [.. IngestionParseBenchmarks.Bodies(ndjson).Select(body =>
        {
            var parsed = EventParser.Parse(body, json: false, IngestionParseBenchmarks.Workspace);
            IngestionParseBenchmarks.Check(parsed, IngestionParseBenchmarks.EventCount);
            return new RequestEvents(parsed.Events, null);
        })];
        events = [.. requests.SelectMany(r => r.Records())];
        names = Columns.Select(c => c.Name).ToArray();
        types = Columns.Select(c => ClickHouseType.Parse(c.Type)).ToArray();
        if (!EventBatch.Columns.SequenceEqual(names, StringComparer.Ordinal) || !RecordMap.Columns.SequenceEqual(names, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"EventBatch writes ({string.Join(", ", EventBatch.Columns)}); the benchmark's column list is out of date.");
        }

        // All paths must write the very same bytes, or the ratios compare different work.
        using var columns = new NativeWriter();
        EventBatch.WriteBlock(columns, requests, IngestedAt);
        using var mapped = new NativeWriter();
        RecordMap.EncodeBlock(mapped, types, events.Select(e => (e, IngestedAt)).ToList());
        using var boxed = new NativeWriter();
        ClickHouseBulkWriter.EncodeBlock(boxed, names, types, events.Select(e => Row(e, IngestedAt)).ToList());
        if (!columns.WrittenSpan.SequenceEqual(mapped.WrittenSpan) || !columns.WrittenSpan.SequenceEqual(boxed.WrittenSpan))
        {
            throw new InvalidOperationException("The requests' columns, the column map and the object rows encode different blocks.");
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        foreach (var request in requests)
        {
            request.Batch.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "A record per event + ClickHouseColumnMap.EncodeBlock (the old path)")]
    public long ColumnMap()
    {
        using var writer = new NativeWriter();
        RecordMap.EncodeBlock(writer, types, events.Select(e => (e, IngestedAt)).ToList());
        return writer.Length;
    }

    [Benchmark(Description = "The requests' columns copied by EventBatch.WriteBlock (the service)")]
    public long Batches()
    {
        using var writer = new NativeWriter();
        EventBatch.WriteBlock(writer, requests, IngestedAt);
        return writer.Length;
    }

    [Benchmark(Description = "Object rows per event + ClickHouseBulkWriter.EncodeBlock (the path before the map)")]
    public long ObjectRows()
    {
        using var writer = new NativeWriter();
        ClickHouseBulkWriter.EncodeBlock(writer, names, types, events.Select(e => Row(e, IngestedAt)).ToList());
        return writer.Length;
    }

    /// <summary>An event as a row of <c>events</c> in <see cref="Columns"/> order, as the service built it before the column map.</summary>
    private static object?[] Row(EventRecord e, DateTime ingestedAt) =>
    [
        e.WorkspaceId, e.EventId, e.Timestamp, e.UserId, e.PromptId, e.ProductId, e.ProductName, e.UserEmail,
        e.UserFname, e.UserLname, e.UserRole, e.AccountId, e.InstitutionId, e.InstanceName, e.AiName, e.Origin,
        e.HistoryId, e.Model, e.InputTokens, e.OutputTokens, e.Cost, e.Credits, e.Status, e.LatencyMs,
        e.Provider, e.Operation, e.CacheReadTokens, e.CacheCreationTokens, e.ReasoningTokens, ingestedAt,
    ];
}
