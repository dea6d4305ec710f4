using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Analytics.Api.Ingestion;

/// <summary>
/// Turns a request body (NDJSON, a JSON array or one JSON object) into validated events and
/// quarantined lines. One bad line never affects another. Field limits are part of the contract
/// and appear in the OpenAPI document.
/// </summary>
public static class EventParser
{
    public const int MaxIdLength = 64;
    public const int MaxTextLength = 256;
    public const int MaxEmailLength = 320;

    /// <summary>
    /// The earliest and latest instants an event may carry: the range of the daily rollups' <c>Date</c>
    /// (1970-01-01 to 2149-06-06), the narrowest type of every table an event lands in. Outside it an event
    /// would be stored on a wrong day, so it is quarantined instead.
    /// </summary>
    public static readonly DateTime EarliestTimestamp = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <inheritdoc cref="EarliestTimestamp"/>
    public static readonly DateTime LatestTimestamp = new(2149, 6, 6, 23, 59, 59, 999, DateTimeKind.Utc);

    /// <summary>The reason an event outside [<see cref="EarliestTimestamp"/>, <see cref="LatestTimestamp"/>] is quarantined.</summary>
    public const string TimestampOutOfRange = "timestamp must lie between 1970-01-01T00:00:00.000Z and 2149-06-06T23:59:59.999Z (UTC), the range the daily rollups hold";

    public sealed record Result(List<(int Line, EventRecord Event)> Events, List<(int Line, string Raw, string Reason)> Errors);

    /// <summary>Parses a body. <paramref name="json"/> is true for <c>application/json</c> (an array or an object), false for NDJSON.</summary>
    public static Result Parse(ReadOnlyMemory<byte> body, bool json, string workspaceId)
    {
        var result = new Result([], []);
        if (json)
        {
            ParseJson(body, workspaceId, result);
        }
        else
        {
            var span = body.Span;
            var line = 0;
            var start = 0;
            while (start <= span.Length)
            {
                var end = span[start..].IndexOf((byte)'\n');
                var slice = end < 0 ? span[start..] : span.Slice(start, end);
                line++;
                ParseLine(slice, line, workspaceId, result, skipBlank: true);
                if (end < 0)
                {
                    break;
                }

                start += end + 1;
            }
        }

        return result;
    }

    private static void ParseJson(ReadOnlyMemory<byte> body, string workspaceId, Result result)
    {
        if (!Utf8.IsValid(body.Span))
        {
            result.Errors.Add((1, Encoding.UTF8.GetString(body.Span), "body is not valid UTF-8"));
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            result.Errors.Add((1, Encoding.UTF8.GetString(body.Span), $"body is not valid JSON: {ex.Message}"));
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                var line = 0;
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    line++;
                    // The element's own bytes in the body: no copy, no round trip through UTF-16.
                    ParseLine(JsonMarshal.GetRawUtf8Value(element), line, workspaceId, result, skipBlank: false);
                }
            }
            else
            {
                ParseLine(JsonMarshal.GetRawUtf8Value(document.RootElement), 1, workspaceId, result, skipBlank: false);
            }
        }
    }

    private static void ParseLine(ReadOnlySpan<byte> line, int number, string workspaceId, Result result, bool skipBlank)
    {
        var span = line.TrimEnd((byte)'\r');
        if (skipBlank && span.Trim(" \t"u8).IsEmpty)
        {
            return;
        }

        var error = TryRead(span, workspaceId, out var record);
        if (error is null)
        {
            result.Events.Add((number, record!));
        }
        else
        {
            result.Errors.Add((number, Encoding.UTF8.GetString(span), error));
        }
    }

    /// <summary>Reads one event; returns null on success or the reason the line is refused.</summary>
    /// <remarks>
    /// The hot path of ingestion: property names are compared as UTF-8 bytes and values read straight
    /// into the record, so a valid line allocates only its own strings.
    /// </remarks>
    internal static string? TryRead(ReadOnlySpan<byte> line, string workspaceId, out EventRecord? record)
    {
        record = null;
        if (!Utf8.IsValid(line))
        {
            // The JSON reader does not check the text of strings; every field is read as valid UTF-8 from here on.
            return "line is not valid UTF-8";
        }

        var e = new EventRecord { WorkspaceId = workspaceId };
        var present = RequiredFields.None;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "line is not a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Field(ref reader);
                reader.Read();
                if (field is null)
                {
                    reader.Skip(); // unknown fields are ignored
                    continue;
                }

                if (field.Read(ref reader, e) is { } error)
                {
                    return error;
                }

                present |= field.Required;
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return "line is not a single JSON object";
            }
        }
        catch (JsonException ex)
        {
            return $"line is not valid JSON: {ex.Message}";
        }
        catch (InvalidOperationException ex)
        {
            // The reader refuses escapes it cannot unescape (a lone surrogate in a field's name, say): this line's fault only.
            return $"line is not valid JSON text: {ex.Message}";
        }

        var missing = (present & RequiredFields.EventId) == 0 ? "event_id"
            : (present & RequiredFields.Timestamp) == 0 ? "timestamp"
            : (present & RequiredFields.UserId) == 0 ? "user_id"
            : null;
        if (missing is not null)
        {
            return $"{missing} is required";
        }

        record = e;
        return null;
    }

    [Flags]
    private enum RequiredFields
    {
        None = 0,
        EventId = 1,
        Timestamp = 2,
        UserId = 4,
    }

    /// <summary>Reads a field's value (the reader is on it) into the record; returns null or the reason the line is refused.</summary>
    private delegate string? ValueReader(ref Utf8JsonReader reader, EventRecord e);

    /// <summary>A field of the contract: its name, how its value is read and set, and whether a line needs it.</summary>
    private sealed class EventField(string name, ValueReader read, RequiredFields required = RequiredFields.None)
    {
        public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(name);

        public ValueReader Read { get; } = read;

        public RequiredFields Required { get; } = required;
    }

    private static readonly string[] Roles = ["user", "admin", "super"];
    private static readonly string[] Origins = ["APP", "SLACK", "API_KEY"];
    private static readonly string[] Statuses = ["ok", "error"];

    /// <summary>Every field the contract knows; any other is ignored.</summary>
    private static readonly EventField[] Fields =
    [
        new("event_id", (ref reader, e) => Text(ref reader, "event_id", MaxIdLength, required: true, e, static (record, value) => record.EventId = value), RequiredFields.EventId),
        new("timestamp", Timestamp, RequiredFields.Timestamp),
        new("user_id", (ref reader, e) => Text(ref reader, "user_id", MaxTextLength, required: true, e, static (record, value) => record.UserId = value, cached: true), RequiredFields.UserId),
        OptionalText("prompt_id", static (e, value) => e.PromptId = value),
        new("product_id", Product),
        OptionalText("product_name", static (e, value) => e.ProductName = value),
        new("user_email", (ref reader, e) => Text(ref reader, "user_email", MaxEmailLength, required: false, e, static (record, value) => record.UserEmail = value, cached: true)),
        OptionalText("user_fname", static (e, value) => e.UserFname = value),
        OptionalText("user_lname", static (e, value) => e.UserLname = value),
        new("user_role", (ref reader, e) => OneOf(ref reader, "user_role", Roles, e, static (record, value) => record.UserRole = value)),
        OptionalText("account_id", static (e, value) => e.AccountId = value),
        OptionalText("institution_id", static (e, value) => e.InstitutionId = value),
        OptionalText("instance_name", static (e, value) => e.InstanceName = value),
        OptionalText("ai_name", static (e, value) => e.AiName = value),
        new("origin", (ref reader, e) => OneOf(ref reader, "origin", Origins, e, static (record, value) => record.Origin = value)),
        // History ids are mostly one per event; every other text repeats across events and is cached.
        OptionalText("history_id", static (e, value) => e.HistoryId = value, cached: false),
        OptionalText("model", static (e, value) => e.Model = value),
        new("input_tokens", (ref reader, e) => Count(ref reader, "input_tokens", e, static (record, value) => record.InputTokens = value)),
        new("output_tokens", (ref reader, e) => Count(ref reader, "output_tokens", e, static (record, value) => record.OutputTokens = value)),
        new("cost", (ref reader, e) => Amount(ref reader, "cost", 9, e, static (record, value) => record.Cost = value)),
        new("credits", (ref reader, e) => Amount(ref reader, "credits", 6, e, static (record, value) => record.Credits = value)),
        new("status", (ref reader, e) => OneOf(ref reader, "status", Statuses, e, static (record, value) => record.Status = value)),
        new("latency_ms", (ref reader, e) => Count(ref reader, "latency_ms", e, static (record, value) => record.LatencyMs = value)),
        // What OpenTelemetry's GenAI conventions add (gen_ai.provider.name, gen_ai.operation.name, gen_ai.usage.*).
        OptionalText("provider", static (e, value) => e.Provider = value),
        OptionalText("operation", static (e, value) => e.Operation = value),
        new("cache_read_tokens", (ref reader, e) => Count(ref reader, "cache_read_tokens", e, static (record, value) => record.CacheReadTokens = value)),
        new("cache_creation_tokens", (ref reader, e) => Count(ref reader, "cache_creation_tokens", e, static (record, value) => record.CacheCreationTokens = value)),
        new("reasoning_tokens", (ref reader, e) => Count(ref reader, "reasoning_tokens", e, static (record, value) => record.ReasoningTokens = value)),
    ];

    /// <summary>The fields by the length of their UTF-8 name, so that a name is compared with a handful at most.</summary>
    private static readonly EventField[][] FieldsByLength =
    [
        .. Enumerable.Range(0, Fields.Max(f => f.Utf8.Length) + 1).Select(length => Fields.Where(f => f.Utf8.Length == length).ToArray()),
    ];

    private static EventField OptionalText(string name, Action<EventRecord, string> set, bool cached = true) =>
        new(name, (ref reader, e) => Text(ref reader, name, MaxTextLength, required: false, e, set, cached));

    /// <summary>The known field the reader is on, or null.</summary>
    private static EventField? Field(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            // Rare: names spelled with escapes; the reader compares them unescaped.
            foreach (var field in Fields)
            {
                if (reader.ValueTextEquals(field.Utf8))
                {
                    return field;
                }
            }

            return null;
        }

        // The hot path: a handful of candidates of the name's length, compared as bytes.
        var text = reader.ValueSpan;
        if (text.Length >= FieldsByLength.Length)
        {
            return null;
        }

        foreach (var field in FieldsByLength[text.Length])
        {
            if (text.SequenceEqual(field.Utf8))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The strings of repeated field values, shared by every request of the process.</summary>
    private static readonly Utf8StringCache Strings = new(1 << 17);

    private static string? Text(ref Utf8JsonReader reader, string name, int max, bool required, EventRecord e, Action<EventRecord, string> set, bool cached = false)
    {
        if (reader.TokenType == JsonTokenType.Null && !required)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{name} must be a string";
        }

        string value;
        if (cached && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            value = Strings.Get(reader.ValueSpan);
        }
        else if (!TryGetString(ref reader, out value))
        {
            return $"{name} is not valid text: it escapes a lone UTF-16 surrogate";
        }

        if (required && value.Length == 0)
        {
            return $"{name} must not be empty";
        }

        if (TextLength.Exceeds(value, max))
        {
            return $"{name} is longer than {max} characters";
        }

        set(e, value);
        return null;
    }

    /// <summary>The reader's string; false when its escapes spell a lone surrogate, which no string of text holds.</summary>
    private static bool TryGetString(ref Utf8JsonReader reader, out string value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = string.Empty;
            return false;
        }
    }

    private static string? OneOf(ref Utf8JsonReader reader, string name, string[] allowed, EventRecord e, Action<EventRecord, string> set)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            // Set the allowed instance itself: no string is allocated for these small enumerations.
            foreach (var candidate in allowed)
            {
                if (reader.ValueTextEquals(candidate))
                {
                    set(e, candidate);
                    return null;
                }
            }
        }

        return $"{name} must be one of {string.Join(", ", allowed)}";
    }

    private static string? Timestamp(ref Utf8JsonReader reader, EventRecord e)
    {
        // The JSON reader parses ISO 8601 fast; RFC 3339's lower-case 't' and space separators go the slow way.
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !HasRfc3339Shape(reader.ValueSpan) ||
            !(reader.TryGetDateTimeOffset(out var parsed) ||
              DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed)))
        {
            return "timestamp must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z";
        }

        // Stored as UTC with millisecond precision.
        var utc = parsed.UtcDateTime;
        var stored = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        if (stored < EarliestTimestamp || stored > LatestTimestamp)
        {
            return TimestampOutOfRange;
        }

        e.Timestamp = stored;
        return null;
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss[.fraction] followed by Z or ±hh:mm; the parser takes offset-less times too, the contract does not.</summary>
    private static bool HasRfc3339Shape(ReadOnlySpan<byte> text)
    {
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] is not ((byte)'T' or (byte)'t' or (byte)' ') || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        var last = text[^1];
        return last is (byte)'Z' or (byte)'z' || (text.Length >= 25 && text[^6] is (byte)'+' or (byte)'-' && text[^3] == ':');
    }

    private static string? Product(ref Utf8JsonReader reader, EventRecord e)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String || !reader.TryGetGuid(out var id))
        {
            return "product_id must be a UUID";
        }

        e.ProductId = id;
        return null;
    }

    private static string? Count(ref Utf8JsonReader reader, string name, EventRecord e, Action<EventRecord, uint> set)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt32(out var number))
        {
            return $"{name} must be a non-negative integer below 2^32";
        }

        set(e, number);
        return null;
    }

    private static string? Amount(ref Utf8JsonReader reader, string name, int scale, EventRecord e, Action<EventRecord, decimal> set)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var number) || number < 0 || number >= 1_000_000_000m)
        {
            return $"{name} must be a non-negative number below 1e9";
        }

        if (decimal.Round(number, scale) != number)
        {
            return $"{name} has more than {scale} decimal places";
        }

        set(e, number);
        return null;
    }

}
