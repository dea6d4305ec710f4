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

    /// <summary>The events read, column by column (the caller disposes them), and the lines refused, each with its number and reason.</summary>
    public sealed record Result(EventBatch Events, List<(int Line, string Raw, string Reason)> Errors);

    /// <summary>Parses a body. <paramref name="json"/> is true for <c>application/json</c> (an array or an object), false for NDJSON.</summary>
    public static Result Parse(ReadOnlyMemory<byte> body, bool json, string workspaceId)
    {
        var result = new Result(new EventBatch(workspaceId, body.Length), []);
        if (json)
        {
            ParseJson(body, result);
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
                ParseLine(slice, line, result, skipBlank: true);
                if (end < 0)
                {
                    break;
                }

                start += end + 1;
            }
        }

        return result;
    }

    private static void ParseJson(ReadOnlyMemory<byte> body, Result result)
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
                    ParseLine(JsonMarshal.GetRawUtf8Value(element), line, result, skipBlank: false);
                }
            }
            else
            {
                ParseLine(JsonMarshal.GetRawUtf8Value(document.RootElement), 1, result, skipBlank: false);
            }
        }
    }

    private static void ParseLine(ReadOnlySpan<byte> line, int number, Result result, bool skipBlank)
    {
        var span = line.TrimEnd((byte)'\r');
        if (skipBlank && span.Trim(" \t"u8).IsEmpty)
        {
            return;
        }

        if (TryAppend(span, result.Events) is { } error)
        {
            result.Errors.Add((number, Encoding.UTF8.GetString(span), error));
        }
    }

    /// <summary>Reads one event into <paramref name="events"/>; returns null on success, or the reason the line is refused, which leaves the batch as it was.</summary>
    /// <remarks>
    /// The hot path of ingestion: property names are compared as UTF-8 bytes and values are copied from the
    /// line into the batch's columns, so a valid line allocates nothing.
    /// </remarks>
    internal static string? TryAppend(ReadOnlySpan<byte> line, EventBatch events)
    {
        if (!Utf8.IsValid(line))
        {
            // The JSON reader does not check the text of strings; every field is read as valid UTF-8 from here on.
            return "line is not valid UTF-8";
        }

        events.BeginLine();
        var error = ReadFields(line, events);
        if (error is null)
        {
            var missing = !events.Has(EventColumn.EventId) ? "event_id"
                : !events.Has(EventColumn.Timestamp) ? "timestamp"
                : !events.Has(EventColumn.UserId) ? "user_id"
                : null;
            error = missing is null ? null : $"{missing} is required";
        }

        if (error is null)
        {
            events.CommitLine();
        }
        else
        {
            events.AbandonLine();
        }

        return error;
    }

    private static string? ReadFields(ReadOnlySpan<byte> line, EventBatch events)
    {
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

                if (Read(ref reader, field, events) is { } error)
                {
                    return error;
                }
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

        return null;
    }

    /// <summary>How a field's value is read.</summary>
    private enum FieldKind
    {
        Text,
        Choice,
        Count,
        Amount,
        Timestamp,
        Product,
    }

    /// <summary>
    /// A field of the contract: its name, the column it fills, how its value is read, and for texts its
    /// longest length and whether a line needs it, for amounts their scale, for choices the values allowed.
    /// </summary>
    private sealed record EventField(string Name, EventColumn Column, FieldKind Kind, int Limit = 0, bool Required = false, Choices? Allowed = null)
    {
        public byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(Name);
    }

    /// <summary>Reads the value of <paramref name="field"/> (the reader is on it) into the line being written; returns null or the reason the line is refused.</summary>
    private static string? Read(ref Utf8JsonReader reader, EventField field, EventBatch e) => field.Kind switch
    {
        // A switch rather than a delegate per field: the hot path calls each reader directly.
        FieldKind.Text => Text(ref reader, field.Name, field.Column, field.Limit, field.Required, e),
        FieldKind.Choice => OneOf(ref reader, field.Name, field.Column, field.Allowed!, e),
        FieldKind.Count => Count(ref reader, field.Name, field.Column, e),
        FieldKind.Amount => Amount(ref reader, field.Name, field.Column, field.Limit, e),
        FieldKind.Timestamp => Timestamp(ref reader, e),
        _ => Product(ref reader, e),
    };

    private static readonly Choices Roles = new("user", "admin", "super");
    private static readonly Choices Origins = new("APP", "SLACK", "API_KEY");
    private static readonly Choices Statuses = new("ok", "error");

    /// <summary>Every field the contract knows; any other is ignored.</summary>
    private static readonly EventField[] Fields =
    [
        new("event_id", EventColumn.EventId, FieldKind.Text, MaxIdLength, Required: true),
        new("timestamp", EventColumn.Timestamp, FieldKind.Timestamp),
        new("user_id", EventColumn.UserId, FieldKind.Text, MaxTextLength, Required: true),
        OptionalText("prompt_id", EventColumn.PromptId),
        new("product_id", EventColumn.ProductId, FieldKind.Product),
        OptionalText("product_name", EventColumn.ProductName),
        new("user_email", EventColumn.UserEmail, FieldKind.Text, MaxEmailLength),
        OptionalText("user_fname", EventColumn.UserFname),
        OptionalText("user_lname", EventColumn.UserLname),
        new("user_role", EventColumn.UserRole, FieldKind.Choice, Allowed: Roles),
        OptionalText("account_id", EventColumn.AccountId),
        OptionalText("institution_id", EventColumn.InstitutionId),
        OptionalText("instance_name", EventColumn.InstanceName),
        OptionalText("ai_name", EventColumn.AiName),
        new("origin", EventColumn.Origin, FieldKind.Choice, Allowed: Origins),
        OptionalText("history_id", EventColumn.HistoryId),
        OptionalText("model", EventColumn.Model),
        new("input_tokens", EventColumn.InputTokens, FieldKind.Count),
        new("output_tokens", EventColumn.OutputTokens, FieldKind.Count),
        new("cost", EventColumn.Cost, FieldKind.Amount, EventBatch.CostScale),
        new("credits", EventColumn.Credits, FieldKind.Amount, EventBatch.CreditsScale),
        new("status", EventColumn.Status, FieldKind.Choice, Allowed: Statuses),
        new("latency_ms", EventColumn.LatencyMs, FieldKind.Count),
        // What OpenTelemetry's GenAI conventions add (gen_ai.provider.name, gen_ai.operation.name, gen_ai.usage.*).
        OptionalText("provider", EventColumn.Provider),
        OptionalText("operation", EventColumn.Operation),
        new("cache_read_tokens", EventColumn.CacheReadTokens, FieldKind.Count),
        new("cache_creation_tokens", EventColumn.CacheCreationTokens, FieldKind.Count),
        new("reasoning_tokens", EventColumn.ReasoningTokens, FieldKind.Count),
    ];

    /// <summary>The fields by the length of their UTF-8 name, so that a name is compared with a handful at most.</summary>
    private static readonly EventField[][] FieldsByLength =
    [
        .. Enumerable.Range(0, Fields.Max(f => f.Utf8.Length) + 1).Select(length => Fields.Where(f => f.Utf8.Length == length).ToArray()),
    ];

    private static EventField OptionalText(string name, EventColumn column) => new(name, column, FieldKind.Text, MaxTextLength);

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

    /// <summary>Unescaped texts up to this many bytes are unescaped on the stack.</summary>
    private const int StackText = 512;

    private static string? Text(ref Utf8JsonReader reader, string name, EventColumn column, int max, bool required, EventBatch e)
    {
        if (reader.TokenType == JsonTokenType.Null && !required)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{name} must be a string";
        }

        if (!reader.ValueIsEscaped)
        {
            return Text(reader.ValueSpan, name, column, max, required, e);
        }

        // Unescaping never lengthens a text, so its escaped length bounds the bytes it needs.
        var escaped = reader.ValueSpan.Length;
        var rented = escaped > StackText ? System.Buffers.ArrayPool<byte>.Shared.Rent(escaped) : null;
        try
        {
            Span<byte> text = rented is null ? stackalloc byte[StackText] : rented;
            int length;
            try
            {
                length = reader.CopyString(text);
            }
            catch (InvalidOperationException)
            {
                return $"{name} is not valid text: it escapes a lone UTF-16 surrogate";
            }

            return Text(text[..length], name, column, max, required, e);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static string? Text(ReadOnlySpan<byte> utf8, string name, EventColumn column, int max, bool required, EventBatch e)
    {
        if (required && utf8.IsEmpty)
        {
            return $"{name} must not be empty";
        }

        if (TextLength.Exceeds(utf8, max))
        {
            return $"{name} is longer than {max} characters";
        }

        e.SetText(column, utf8);
        return null;
    }

    /// <summary>The values a field may take, as text for its error and as UTF-8 to compare and store.</summary>
    private sealed class Choices(params string[] values)
    {
        public string Listed { get; } = string.Join(", ", values);

        public byte[][] Utf8 { get; } = [.. values.Select(Encoding.UTF8.GetBytes)];
    }

    private static string? OneOf(ref Utf8JsonReader reader, string name, EventColumn column, Choices allowed, EventBatch e)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            foreach (var candidate in allowed.Utf8)
            {
                if (reader.ValueTextEquals(candidate))
                {
                    e.SetText(column, candidate);
                    return null;
                }
            }
        }

        return $"{name} must be one of {allowed.Listed}";
    }

    private static string? Timestamp(ref Utf8JsonReader reader, EventBatch e)
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

        e.Set(EventColumn.Timestamp, EventBatch.UnixMilliseconds(stored));
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

    private static string? Product(ref Utf8JsonReader reader, EventBatch e)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String || !reader.TryGetGuid(out var id))
        {
            return "product_id must be a UUID";
        }

        e.SetUuid(EventColumn.ProductId, id);
        return null;
    }

    private static string? Count(ref Utf8JsonReader reader, string name, EventColumn column, EventBatch e)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt32(out var number))
        {
            return $"{name} must be a non-negative integer below 2^32";
        }

        e.Set(column, number);
        return null;
    }

    private static string? Amount(ref Utf8JsonReader reader, string name, EventColumn column, int scale, EventBatch e)
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

        e.Set(column, EventBatch.Scaled(number, scale));
        return null;
    }
}
