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
        bool hasId = false, hasTime = false, hasUser = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "line is not a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? error;
                var field = Field(ref reader);
                if (ReferenceEquals(field, EventIdField))
                {
                    reader.Read();
                    error = Text(ref reader, "event_id", MaxIdLength, required: true, out var v);
                    e.EventId = v ?? e.EventId;
                    hasId = error is null;
                }
                else if (ReferenceEquals(field, TimestampField))
                {
                    reader.Read();
                    error = Timestamp(ref reader, out var at);
                    e.Timestamp = at;
                    hasTime = error is null;
                }
                else if (ReferenceEquals(field, UserIdField))
                {
                    reader.Read();
                    error = Text(ref reader, "user_id", MaxTextLength, required: true, out var v, cached: true);
                    e.UserId = v ?? e.UserId;
                    hasUser = error is null;
                }
                else
                {
                    error = Optional(ref reader, field, e);
                }

                if (error is not null)
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

        var missing = !hasId ? "event_id" : !hasTime ? "timestamp" : !hasUser ? "user_id" : null;
        if (missing is not null)
        {
            return $"{missing} is required";
        }

        record = e;
        return null;
    }

    /// <summary>Reads an optional field (null when unknown) into <paramref name="e"/>; the reader is on its name.</summary>
    private static string? Optional(ref Utf8JsonReader reader, string? field, EventRecord e)
    {
        reader.Read();
        string? text;
        string? error;
        switch (field)
        {
            case "prompt_id" or "product_name" or "user_fname" or "user_lname" or "account_id" or "institution_id"
                or "instance_name" or "ai_name" or "history_id" or "model":
                // History ids are mostly one per event; every other text here repeats across events.
                error = Text(ref reader, field, MaxTextLength, required: false, out text, cached: field != "history_id");
                Assign(e, field, text);
                return error;
            case "user_email":
                error = Text(ref reader, field, MaxEmailLength, required: false, out text, cached: true);
                e.UserEmail = text ?? e.UserEmail;
                return error;
            case "user_role":
                error = OneOf(ref reader, field, Roles, out text);
                e.UserRole = text ?? e.UserRole;
                return error;
            case "origin":
                error = OneOf(ref reader, field, Origins, out text);
                e.Origin = text ?? e.Origin;
                return error;
            case "status":
                error = OneOf(ref reader, field, Statuses, out text);
                e.Status = text ?? e.Status;
                return error;
            case "product_id":
                return Product(ref reader, e);
            case "input_tokens" or "output_tokens" or "latency_ms":
                error = Count(ref reader, field, out var count);
                if (count is { } n)
                {
                    _ = field switch
                    {
                        "input_tokens" => e.InputTokens = n,
                        "output_tokens" => e.OutputTokens = n,
                        _ => e.LatencyMs = n,
                    };
                }

                return error;
            case "cost":
                error = Amount(ref reader, field, 9, out var cost);
                e.Cost = cost ?? e.Cost;
                return error;
            case "credits":
                error = Amount(ref reader, field, 6, out var credits);
                e.Credits = credits ?? e.Credits;
                return error;
            default:
                reader.Skip(); // unknown fields are ignored
                return null;
        }
    }

    private static readonly string[] Roles = ["user", "admin", "super"];
    private static readonly string[] Origins = ["APP", "SLACK", "API_KEY"];
    private static readonly string[] Statuses = ["ok", "error"];

    private const string EventIdField = "event_id";
    private const string TimestampField = "timestamp";
    private const string UserIdField = "user_id";

    /// <summary>The known field the reader is on, as one of the interned names below, or null.</summary>
    private static string? Field(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            // Rare: names spelled with escapes; the reader compares them unescaped.
            foreach (var (utf8, name) in Fields)
            {
                if (reader.ValueTextEquals(utf8))
                {
                    return name;
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

        foreach (var (utf8, name) in FieldsByLength[text.Length])
        {
            if (text.SequenceEqual(utf8))
            {
                return name;
            }
        }

        return null;
    }

    private static readonly (byte[] Utf8, string Name)[] Fields =
    [
        .. new[]
        {
            EventIdField, TimestampField, UserIdField, "prompt_id", "product_id", "product_name", "user_email", "user_fname",
            "user_lname", "user_role", "account_id", "institution_id", "instance_name", "ai_name", "origin", "history_id", "model",
            "input_tokens", "output_tokens", "cost", "credits", "status", "latency_ms",
        }.Select(n => (Encoding.UTF8.GetBytes(n), n)),
    ];

    private static readonly (byte[] Utf8, string Name)[][] FieldsByLength =
    [
        .. Enumerable.Range(0, Fields.Max(f => f.Utf8.Length) + 1).Select(length => Fields.Where(f => f.Utf8.Length == length).ToArray()),
    ];

    private static void Assign(EventRecord e, string field, string? value)
    {
        if (value is null)
        {
            return;
        }

        switch (field)
        {
            case "prompt_id": e.PromptId = value; break;
            case "product_name": e.ProductName = value; break;
            case "user_fname": e.UserFname = value; break;
            case "user_lname": e.UserLname = value; break;
            case "account_id": e.AccountId = value; break;
            case "institution_id": e.InstitutionId = value; break;
            case "instance_name": e.InstanceName = value; break;
            case "ai_name": e.AiName = value; break;
            case "history_id": e.HistoryId = value; break;
            default: e.Model = value; break;
        }
    }

    /// <summary>The strings of repeated field values, shared by every request of the process.</summary>
    private static readonly Utf8StringCache Strings = new(1 << 17);

    private static string? Text(ref Utf8JsonReader reader, string name, int max, bool required, out string? value, bool cached = false)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null && !required)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{name} must be a string";
        }

        value = cached && !reader.ValueIsEscaped && !reader.HasValueSequence
            ? Strings.Get(reader.ValueSpan)
            : reader.GetString()!;
        if (required && value.Length == 0)
        {
            return $"{name} must not be empty";
        }

        return value.Length > max ? $"{name} is longer than {max} characters" : null;
    }

    private static string? OneOf(ref Utf8JsonReader reader, string name, string[] allowed, out string? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            // Return the allowed instance itself: no string is allocated for these small enumerations.
            foreach (var candidate in allowed)
            {
                if (reader.ValueTextEquals(candidate))
                {
                    value = candidate;
                    return null;
                }
            }
        }

        return $"{name} must be one of {string.Join(", ", allowed)}";
    }

    private static string? Timestamp(ref Utf8JsonReader reader, out DateTime value)
    {
        value = default;
        // The JSON reader parses ISO 8601 fast; RFC 3339's lower-case 't' and space separators go the slow way.
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !HasRfc3339Shape(reader.ValueSpan) ||
            !(reader.TryGetDateTimeOffset(out var parsed) ||
              DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed)))
        {
            return "timestamp must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z";
        }

        // Stored as UTC with millisecond precision.
        var utc = parsed.UtcDateTime;
        value = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
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

    private static string? Count(ref Utf8JsonReader reader, string name, out uint? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt32(out var number))
        {
            return $"{name} must be a non-negative integer below 2^32";
        }

        value = number;
        return null;
    }

    private static string? Amount(ref Utf8JsonReader reader, string name, int scale, out decimal? value)
    {
        value = null;
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

        value = number;
        return null;
    }

}
