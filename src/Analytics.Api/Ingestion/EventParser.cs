using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Analytics.Api.Ingestion;

/// <summary>
/// Turns a request body (NDJSON, a JSON array or one JSON object) into validated events and
/// quarantined lines. One bad line never affects another. Field limits are part of the contract
/// and appear in the OpenAPI document.
/// </summary>
public static partial class EventParser
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
                var slice = end < 0 ? body[start..] : body.Slice(start, end);
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
                    ParseLine(Encoding.UTF8.GetBytes(element.GetRawText()), line, workspaceId, result, skipBlank: false);
                }
            }
            else
            {
                ParseLine(Encoding.UTF8.GetBytes(document.RootElement.GetRawText()), 1, workspaceId, result, skipBlank: false);
            }
        }
    }

    private static void ParseLine(ReadOnlyMemory<byte> line, int number, string workspaceId, Result result, bool skipBlank)
    {
        var span = line.Span.TrimEnd((byte)'\r');
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
    internal static string? TryRead(ReadOnlySpan<byte> line, string workspaceId, out EventRecord? record)
    {
        record = null;
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
                var name = reader.GetString()!;
                reader.Read();
                var error = name switch
                {
                    "event_id" => Text(ref reader, name, MaxIdLength, required: true, v => { e.EventId = v; hasId = true; }),
                    "timestamp" => Timestamp(ref reader, e, ref hasTime),
                    "user_id" => Text(ref reader, name, MaxTextLength, required: true, v => { e.UserId = v; hasUser = true; }),
                    "prompt_id" => Text(ref reader, name, MaxTextLength, false, v => e.PromptId = v),
                    "product_id" => Product(ref reader, e),
                    "product_name" => Text(ref reader, name, MaxTextLength, false, v => e.ProductName = v),
                    "user_email" => Text(ref reader, name, MaxEmailLength, false, v => e.UserEmail = v),
                    "user_fname" => Text(ref reader, name, MaxTextLength, false, v => e.UserFname = v),
                    "user_lname" => Text(ref reader, name, MaxTextLength, false, v => e.UserLname = v),
                    "user_role" => OneOf(ref reader, name, ["user", "admin", "super"], v => e.UserRole = v),
                    "account_id" => Text(ref reader, name, MaxTextLength, false, v => e.AccountId = v),
                    "institution_id" => Text(ref reader, name, MaxTextLength, false, v => e.InstitutionId = v),
                    "instance_name" => Text(ref reader, name, MaxTextLength, false, v => e.InstanceName = v),
                    "ai_name" => Text(ref reader, name, MaxTextLength, false, v => e.AiName = v),
                    "origin" => OneOf(ref reader, name, ["APP", "SLACK", "API_KEY"], v => e.Origin = v),
                    "history_id" => Text(ref reader, name, MaxTextLength, false, v => e.HistoryId = v),
                    "model" => Text(ref reader, name, MaxTextLength, false, v => e.Model = v),
                    "input_tokens" => Count(ref reader, name, v => e.InputTokens = v),
                    "output_tokens" => Count(ref reader, name, v => e.OutputTokens = v),
                    "latency_ms" => Count(ref reader, name, v => e.LatencyMs = v),
                    "cost" => Amount(ref reader, name, 9, v => e.Cost = v),
                    "credits" => Amount(ref reader, name, 6, v => e.Credits = v),
                    "status" => OneOf(ref reader, name, ["ok", "error"], v => e.Status = v),
                    _ => Skip(ref reader),
                };
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

    private delegate void Setter<in T>(T value);

    private static string? Text(ref Utf8JsonReader reader, string name, int max, bool required, Setter<string> set)
    {
        if (reader.TokenType == JsonTokenType.Null && !required)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{name} must be a string";
        }

        var value = reader.GetString()!;
        if (required && value.Length == 0)
        {
            return $"{name} must not be empty";
        }

        if (value.Length > max)
        {
            return $"{name} is longer than {max} characters";
        }

        set(value);
        return null;
    }

    private static string? OneOf(ref Utf8JsonReader reader, string name, string[] allowed, Setter<string> set)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (value is null || Array.IndexOf(allowed, value) < 0)
        {
            return $"{name} must be one of {string.Join(", ", allowed)}";
        }

        set(value);
        return null;
    }

    private static string? Timestamp(ref Utf8JsonReader reader, EventRecord e, ref bool seen)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString()! : null;
        if (text is null || !Rfc3339().IsMatch(text) ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return "timestamp must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z";
        }

        // Stored as UTC with millisecond precision.
        var utc = value.UtcDateTime;
        e.Timestamp = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        seen = true;
        return null;
    }

    private static string? Product(ref Utf8JsonReader reader, EventRecord e)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String || !Guid.TryParse(reader.GetString(), out var id))
        {
            return "product_id must be a UUID";
        }

        e.ProductId = id;
        return null;
    }

    private static string? Count(ref Utf8JsonReader reader, string name, Setter<uint> set)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt32(out var value))
        {
            return $"{name} must be a non-negative integer below 2^32";
        }

        set(value);
        return null;
    }

    private static string? Amount(ref Utf8JsonReader reader, string name, int scale, Setter<decimal> set)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value) || value < 0 || value >= 1_000_000_000m)
        {
            return $"{name} must be a non-negative number below 1e9";
        }

        if (decimal.Round(value, scale) != value)
        {
            return $"{name} has more than {scale} decimal places";
        }

        set(value);
        return null;
    }

    private static string? Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
