using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Api.Ingestion.Otlp.Proto;

namespace Analytics.Api.Ingestion.Otlp;

/// <summary>
/// Turns the GenAI spans of an OTLP trace export into events. Each such span is written as the JSON
/// object a gateway would have sent to <c>POST /v1/events</c> and validated by <see cref="EventParser"/>,
/// so a span is refused for exactly the reasons a line is, and its quarantined raw text is that object.
/// </summary>
/// <remarks>
/// A field's value comes from the span's and its resource's attributes merged (the span's win where both
/// carry a key): <c>analytics.&lt;field&gt;</c> first, then the GenAI conventions' attributes in the order of
/// <see cref="Sources"/>, then what the span itself says (ids, times, status).
/// </remarks>
internal static class SpanMapper
{
    /// <summary>The events and refused spans of an export (numbered by their place in it, from 1), and how many spans it held and skipped.</summary>
    public sealed record Result(EventParser.Result Parsed, List<string> RefusedSpanIds, int Spans, int Skipped);

    private enum Kind
    {
        Text,
        Count,
        Amount,
    }

    /// <summary>An event field: its name in the event's JSON and how attribute values are written into it.</summary>
    private sealed record Field(string Name, Kind Kind, int Scale = 0)
    {
        public JsonEncodedText Json { get; } = JsonEncodedText.Encode(Name);
    }

    private static readonly Field[] Fields =
    [
        new("event_id", Kind.Text), new("timestamp", Kind.Text), new("user_id", Kind.Text), new("prompt_id", Kind.Text),
        new("product_id", Kind.Text), new("product_name", Kind.Text), new("user_email", Kind.Text), new("user_fname", Kind.Text),
        new("user_lname", Kind.Text), new("user_role", Kind.Text), new("account_id", Kind.Text), new("institution_id", Kind.Text),
        new("instance_name", Kind.Text), new("ai_name", Kind.Text), new("origin", Kind.Text), new("history_id", Kind.Text),
        new("model", Kind.Text), new("provider", Kind.Text), new("operation", Kind.Text),
        new("input_tokens", Kind.Count), new("output_tokens", Kind.Count), new("cache_read_tokens", Kind.Count),
        new("cache_creation_tokens", Kind.Count), new("reasoning_tokens", Kind.Count),
        new("cost", Kind.Amount, 9), new("credits", Kind.Amount, 6), new("status", Kind.Text), new("latency_ms", Kind.Count),
    ];

    private static readonly int EventId = Index("event_id");
    private static readonly int Timestamp = Index("timestamp");
    private static readonly int Cost = Index("cost");
    private static readonly int Status = Index("status");
    private static readonly int Latency = Index("latency_ms");

    /// <summary>The conventions' attributes of each field, preferred first; <c>analytics.&lt;field&gt;</c> precedes them all.</summary>
    private static readonly (string Field, string[] Keys)[] Sources =
    [
        ("user_id", ["user.id", "enduser.id"]),
        ("user_email", ["user.email"]),
        ("prompt_id", ["gen_ai.prompt.name"]),
        ("model", ["gen_ai.response.model", "gen_ai.request.model"]),
        ("provider", ["gen_ai.provider.name", "gen_ai.system"]),
        ("operation", ["gen_ai.operation.name"]),
        ("input_tokens", ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"]),
        ("output_tokens", ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"]),
        ("cache_read_tokens", ["gen_ai.usage.cache_read.input_tokens"]),
        ("cache_creation_tokens", ["gen_ai.usage.cache_creation.input_tokens"]),
        ("reasoning_tokens", ["gen_ai.usage.reasoning.output_tokens"]),
        ("cost", [CostAmount]),
    ];

    private const string CostAmount = "gen_ai.usage.cost.amount";
    private const string CostCurrency = "gen_ai.usage.cost.currency";

    /// <summary>Every attribute key that feeds a field, with the field and its rank among that field's keys (0 best).</summary>
    private static readonly Dictionary<string, (int Field, int Rank)> Keys = BuildKeys();

    private static Dictionary<string, (int Field, int Rank)> BuildKeys()
    {
        var keys = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        for (var i = 0; i < Fields.Length; i++)
        {
            keys["analytics." + Fields[i].Name] = (i, 0);
        }

        foreach (var (field, names) in Sources)
        {
            for (var rank = 0; rank < names.Length; rank++)
            {
                keys[names[rank]] = (Index(field), rank + 1);
            }
        }

        return keys;
    }

    private static int Index(string name) => Array.FindIndex(Fields, f => f.Name == name);

    /// <summary>The attribute chosen for each field among one attribute list, and the cost's currency there.</summary>
    private struct Chosen
    {
        public AnyValue?[] Values;
        public int[] Ranks;
        public AnyValue? Currency;

        public static Chosen From(IReadOnlyList<KeyValue> attributes)
        {
            var chosen = new Chosen { Values = new AnyValue?[Fields.Length], Ranks = new int[Fields.Length] };
            Array.Fill(chosen.Ranks, int.MaxValue);
            foreach (var attribute in attributes)
            {
                if (Keys.TryGetValue(attribute.Key, out var target))
                {
                    if (target.Rank < chosen.Ranks[target.Field])
                    {
                        chosen.Values[target.Field] = attribute.Value;
                        chosen.Ranks[target.Field] = target.Rank;
                    }
                }
                else if (attribute.Key == CostCurrency)
                {
                    chosen.Currency = attribute.Value;
                }
            }

            return chosen;
        }
    }

    public static Result Map(ExportTraceServiceRequest request, string workspaceId)
    {
        var parsed = new EventParser.Result(new EventBatch(workspaceId), []);
        var refused = new List<string>();
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(buffer);
        var spans = 0;
        var skipped = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = Chosen.From(resourceSpans.Resource?.Attributes ?? (IReadOnlyList<KeyValue>)[]);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    spans++;
                    if (!IsGenAi(span))
                    {
                        skipped++;
                        continue;
                    }

                    buffer.ResetWrittenCount();
                    json.Reset(buffer);
                    var spanId = Write(json, span, Chosen.From(span.Attributes), resource);
                    json.Flush();
                    if (EventParser.TryAppend(buffer.WrittenSpan, parsed.Events) is { } error)
                    {
                        parsed.Errors.Add((spans, Encoding.UTF8.GetString(buffer.WrittenSpan), error));
                        refused.Add(spanId);
                    }
                }
            }
        }

        return new Result(parsed, refused, spans, skipped);
    }

    /// <summary>True when the span carries an attribute of the GenAI conventions.</summary>
    private static bool IsGenAi(Span span)
    {
        foreach (var attribute in span.Attributes)
        {
            if (attribute.Key.StartsWith("gen_ai.", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes the span as an event's JSON object; returns the span's ids (trace-span, hex) for messages.</summary>
    private static string Write(Utf8JsonWriter json, Span span, Chosen own, Chosen resource)
    {
        var spanId = span.TraceId.IsEmpty || span.SpanId.IsEmpty
            ? string.Empty
            : Convert.ToHexStringLower(span.TraceId.Span) + "-" + Convert.ToHexStringLower(span.SpanId.Span);
        json.WriteStartObject();
        for (var i = 0; i < Fields.Length; i++)
        {
            // The span's attribute wins over the resource's of the same rank (the same key).
            var fromSpan = own.Ranks[i] <= resource.Ranks[i];
            var value = fromSpan ? own.Values[i] : resource.Values[i];
            var rank = fromSpan ? own.Ranks[i] : resource.Ranks[i];
            if (i == Cost && rank > 0 && !IsUsd(fromSpan ? own.Currency : resource.Currency))
            {
                value = null; // a cost in another currency is not ours to convert
            }

            if (value is not null)
            {
                json.WritePropertyName(Fields[i].Json);
                WriteValue(json, value, Fields[i]);
            }
            else
            {
                WriteFromSpan(json, i, span, spanId);
            }
        }

        json.WriteEndObject();
        return spanId;
    }

    private static bool IsUsd(AnyValue? currency) =>
        currency is null || (currency.ValueCase == AnyValue.ValueOneofCase.StringValue && string.Equals(currency.StringValue, "USD", StringComparison.OrdinalIgnoreCase));

    /// <summary>What the span itself says of a field no attribute set: its ids, start, duration and status.</summary>
    private static void WriteFromSpan(Utf8JsonWriter json, int field, Span span, string spanId)
    {
        if (field == EventId && spanId.Length > 0)
        {
            json.WriteString(Fields[field].Json, spanId);
        }
        else if (field == Timestamp && span.StartTimeUnixNano > 0)
        {
            json.WriteString(Fields[field].Json, FromUnixNanos(span.StartTimeUnixNano));
        }
        else if (field == Latency && span.StartTimeUnixNano > 0 && span.EndTimeUnixNano >= span.StartTimeUnixNano)
        {
            json.WriteNumber(Fields[field].Json, (span.EndTimeUnixNano - span.StartTimeUnixNano) / 1_000_000);
        }
        else if (field == Status)
        {
            json.WriteString(Fields[field].Json, span.Status?.Code == Proto.Status.Types.StatusCode.Error ? "error" : "ok");
        }
    }

    private static DateTime FromUnixNanos(ulong nanos)
    {
        var ticks = nanos / 100;
        return ticks > (ulong)(DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) ? DateTime.MaxValue : DateTime.UnixEpoch.AddTicks((long)ticks);
    }

    /// <summary>
    /// Writes an attribute's value as the field expects it where it can be read so: numbers and flags as
    /// text for text fields, digits in a string as numbers, a double cost rounded to the field's decimals.
    /// Anything else is written as it is, for the parser to refuse with the field's own reason.
    /// </summary>
    private static void WriteValue(Utf8JsonWriter json, AnyValue value, Field field)
    {
        switch (field.Kind, value.ValueCase)
        {
            case (Kind.Text, AnyValue.ValueOneofCase.IntValue):
                json.WriteStringValue(value.IntValue.ToString(CultureInfo.InvariantCulture));
                return;
            case (Kind.Text, AnyValue.ValueOneofCase.DoubleValue):
                json.WriteStringValue(value.DoubleValue.ToString("R", CultureInfo.InvariantCulture));
                return;
            case (Kind.Text, AnyValue.ValueOneofCase.BoolValue):
                json.WriteStringValue(value.BoolValue ? "true" : "false");
                return;
            case (Kind.Count, AnyValue.ValueOneofCase.StringValue) when ulong.TryParse(value.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var count):
                json.WriteNumberValue(count);
                return;
            case (Kind.Amount, AnyValue.ValueOneofCase.StringValue) when decimal.TryParse(value.StringValue, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount):
                json.WriteNumberValue(amount);
                return;
            case (Kind.Amount, AnyValue.ValueOneofCase.DoubleValue) when double.IsFinite(value.DoubleValue) && Math.Abs(value.DoubleValue) < 1e15:
                // A double rarely holds a price exactly (1234 * 0.000002 is 0.0024679999999999997): keep the field's decimals.
                json.WriteNumberValue(Math.Round((decimal)value.DoubleValue, field.Scale, MidpointRounding.ToEven));
                return;
        }

        WriteAny(json, value);
    }

    private static void WriteAny(Utf8JsonWriter json, AnyValue value)
    {
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                json.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                json.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                json.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                json.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                json.WriteStringValue(value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                json.WriteBase64StringValue(value.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                json.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    WriteAny(json, item);
                }

                json.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                json.WriteStartObject();
                foreach (var pair in value.KvlistValue.Values)
                {
                    json.WritePropertyName(pair.Key);
                    if (pair.Value is null)
                    {
                        json.WriteNullValue();
                    }
                    else
                    {
                        WriteAny(json, pair.Value);
                    }
                }

                json.WriteEndObject();
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }
}
