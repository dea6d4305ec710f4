using Analytics.Api.Ingestion;
using Analytics.Api.Ingestion.Otlp;
using Analytics.Api.Ingestion.Otlp.Proto;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;

namespace Analytics.Benchmarks;

/// <summary>
/// Reading one <c>POST /v1/traces</c> body of 2,000 GenAI spans into validated events, beside reading the
/// same calls as a <c>POST /v1/events</c> NDJSON body (baseline): the load test's gateway events of
/// <see cref="IngestionParseBenchmarks"/>, each as the span an instrumented gateway exports (gen_ai.*
/// attributes where the conventions have one, analytics.* for the rest), in one OTLP protobuf export.
/// </summary>
[Rows(EventCount)]
[InvocationCount(32)]
public class OtlpDecodeBenchmarks
{
    public const int EventCount = IngestionParseBenchmarks.EventCount;

    private ReadOnlyMemory<byte> ndjsonBody;
    private byte[] protobufBody = [];

    [GlobalSetup]
    public void SetUp()
    {
        var ndjson = IngestionParseBenchmarks.GatewayNdjson(EventCount);
        ndjsonBody = ndjson;
        var parsed = EventParser.Parse(ndjson, json: false, IngestionParseBenchmarks.Workspace);
        IngestionParseBenchmarks.Check(parsed, EventCount);
        protobufBody = AsExport(parsed.Events.Records(null)).ToByteArray();
        parsed.Events.Dispose();

        // Every span must come through as an event, or the benchmark would time refusals.
        var mapped = SpanMapper.Map(ExportTraceServiceRequest.Parser.ParseFrom(protobufBody), IngestionParseBenchmarks.Workspace);
        IngestionParseBenchmarks.Check(mapped.Parsed, EventCount, dispose: true);
    }

    [Benchmark(Baseline = true, Description = "EventParser.Parse, NDJSON body")]
    public int Ndjson() => IngestionParseBenchmarks.Stored(EventParser.Parse(ndjsonBody, json: false, IngestionParseBenchmarks.Workspace));

    // The types are the service's own (internal), so the benchmarks return counts.
    [Benchmark(Description = "OTLP protobuf export: decode + map spans to events")]
    public int OtlpProtobuf() => IngestionParseBenchmarks.Stored(SpanMapper.Map(ExportTraceServiceRequest.Parser.ParseFrom(protobufBody), IngestionParseBenchmarks.Workspace).Parsed);

    [Benchmark(Description = "OTLP protobuf export: decode only")]
    public int OtlpDecodeOnly() => ExportTraceServiceRequest.Parser.ParseFrom(protobufBody).ResourceSpans[0].ScopeSpans[0].Spans.Count;

    /// <summary>The events as one export of one resource (the gateway) and one scope, a span each.</summary>
    internal static ExportTraceServiceRequest AsExport(IEnumerable<EventRecord> events, int seed = 42)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "gateway" } };
        var random = new Random(seed);
        var traceId = new byte[16];
        var spanId = new byte[8];
        foreach (var e in events)
        {
            random.NextBytes(traceId);
            random.NextBytes(spanId);
            var start = (ulong)(e.Timestamp - DateTime.UnixEpoch).Ticks * 100;
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(traceId),
                SpanId = ByteString.CopyFrom(spanId),
                Name = "chat " + e.Model,
                Kind = Span.Types.SpanKind.Client,
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + (ulong)e.LatencyMs * 1_000_000,
                Status = new Status { Code = e.Status == "error" ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Unset },
            };
            Add(span, "gen_ai.operation.name", "chat");
            Add(span, "gen_ai.provider.name", "openai");
            Add(span, "gen_ai.request.model", e.Model);
            Add(span, "gen_ai.response.model", e.Model);
            Add(span, "gen_ai.usage.input_tokens", e.InputTokens);
            Add(span, "gen_ai.usage.output_tokens", e.OutputTokens);
            Add(span, "gen_ai.prompt.name", e.PromptId);
            Add(span, "user.id", e.UserId);
            Add(span, "user.email", e.UserEmail);
            Add(span, "analytics.product_id", e.ProductId.ToString());
            Add(span, "analytics.product_name", e.ProductName);
            Add(span, "analytics.user_fname", e.UserFname);
            Add(span, "analytics.user_lname", e.UserLname);
            Add(span, "analytics.user_role", e.UserRole);
            Add(span, "analytics.account_id", e.AccountId);
            Add(span, "analytics.institution_id", e.InstitutionId);
            Add(span, "analytics.instance_name", e.InstanceName);
            Add(span, "analytics.ai_name", e.AiName);
            Add(span, "analytics.origin", e.Origin);
            Add(span, "analytics.history_id", e.HistoryId);
            span.Attributes.Add(new KeyValue { Key = "analytics.cost", Value = new AnyValue { DoubleValue = (double)e.Cost } });
            span.Attributes.Add(new KeyValue { Key = "analytics.credits", Value = new AnyValue { DoubleValue = (double)e.Credits } });
            scope.Spans.Add(span);
        }

        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "gateway" } });
        var resourceSpans = new ResourceSpans { Resource = resource };
        resourceSpans.ScopeSpans.Add(scope);
        var export = new ExportTraceServiceRequest();
        export.ResourceSpans.Add(resourceSpans);
        return export;
    }

    private static void Add(Span span, string key, string value) => span.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });

    private static void Add(Span span, string key, uint value) => span.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { IntValue = value } });
}
