using System.Buffers;
using System.Text.Json;

namespace Analytics.LoadTest.Generation;

/// <summary>Writes events as the gateway sends them: one JSON object per line, snake_case fields, optional ones left out when empty.</summary>
internal sealed class NdjsonEventWriter(Stream output) : IDisposable
{
    private const int FlushAt = 1 << 20;

    private readonly ArrayBufferWriter<byte> buffer = new(FlushAt * 2);
    private Utf8JsonWriter? json;

    public long Bytes { get; private set; }

    public void Write(SyntheticEvent e)
    {
        json ??= new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("event_id"u8, e.EventId);
        json.WriteString("timestamp"u8, e.Timestamp);
        json.WriteString("user_id"u8, e.User.Id);
        if (e.PromptId is { } prompt)
        {
            json.WriteString("prompt_id"u8, prompt);
        }

        if (e.Product is { } product)
        {
            json.WriteString("product_id"u8, product.Id);
            json.WriteString("product_name"u8, product.Name);
        }

        json.WriteString("user_email"u8, e.User.Email);
        json.WriteString("user_fname"u8, e.User.FirstName);
        json.WriteString("user_lname"u8, e.User.LastName);
        json.WriteString("user_role"u8, e.User.Role);
        json.WriteString("account_id"u8, e.Institution.AccountId);
        json.WriteString("institution_id"u8, e.Institution.Id);
        json.WriteString("instance_name"u8, e.Institution.InstanceName);
        json.WriteString("ai_name"u8, e.Institution.AiName);
        json.WriteString("origin"u8, e.Origin);
        json.WriteString("history_id"u8, e.HistoryId);
        json.WriteString("model"u8, e.Model);
        json.WriteNumber("input_tokens"u8, e.InputTokens);
        json.WriteNumber("output_tokens"u8, e.OutputTokens);
        json.WriteNumber("cost"u8, e.Cost);
        json.WriteNumber("credits"u8, e.Credits);
        json.WriteString("status"u8, e.Failed ? "error"u8 : "ok"u8);
        json.WriteNumber("latency_ms"u8, e.LatencyMs);
        json.WriteEndObject();
        json.Flush();
        json.Reset();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        if (buffer.WrittenCount >= FlushAt)
        {
            Drain();
        }
    }

    public void Dispose()
    {
        Drain();
        json?.Dispose();
    }

    private void Drain()
    {
        output.Write(buffer.WrittenSpan);
        Bytes += buffer.WrittenCount;
        buffer.Clear();
    }
}
