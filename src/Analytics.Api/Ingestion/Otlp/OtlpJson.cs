using System.Text.Json;
using System.Text.Json.Nodes;
using Analytics.Api.Ingestion.Otlp.Proto;
using Google.Protobuf;

namespace Analytics.Api.Ingestion.Otlp;

/// <summary>
/// OTLP's JSON encoding of a trace export. It is protobuf's JSON mapping but for one thing: trace and
/// span ids are hex, not base64. The ids are turned into base64 first, then protobuf's own parser reads
/// the rest (lowerCamelCase or original field names, enums as integers, 64-bit integers as strings or numbers).
/// </summary>
internal static class OtlpJson
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private static readonly HashSet<string> IdNames = ["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"];

    /// <summary>Reads an export; throws <see cref="FormatException"/> when the body is not one.</summary>
    public static ExportTraceServiceRequest Parse(ReadOnlyMemory<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the body is not valid JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject)
        {
            throw new FormatException("the body is not a JSON object");
        }

        HexIdsToBase64(root);
        try
        {
            return Parser.Parse<ExportTraceServiceRequest>(root.ToJsonString());
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new FormatException($"the body is not an OTLP trace export: {ex.Message}", ex);
        }
        catch (InvalidJsonException ex)
        {
            throw new FormatException($"the body is not an OTLP trace export: {ex.Message}", ex);
        }
    }

    /// <summary>The JSON of a response message, in the same mapping.</summary>
    public static string Format(IMessage message) => JsonFormatter.Default.Format(message);

    private static void HexIdsToBase64(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (IdNames.Contains(name) && value.GetValueKind() == JsonValueKind.String)
                    {
                        obj[name] = Base64OfHex(name, value.GetValue<string>());
                    }
                    else
                    {
                        HexIdsToBase64(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        HexIdsToBase64(item);
                    }
                }

                break;
        }
    }

    private static string Base64OfHex(string name, string hex)
    {
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            throw new FormatException($"{name} \"{(hex.Length > 64 ? hex[..64] + "…" : hex)}\" is not hexadecimal");
        }
    }
}
