using System.Buffers;
using System.Text.Json;
using Analytics.Api.Ingestion;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks;

/// <summary>
/// Reading one <c>POST /v1/events</c> body of 2,000 gateway events into validated records, the work
/// the request does before anything is buffered: the gateway's NDJSON (baseline) and the same events
/// as a JSON array (<c>application/json</c>). Also the generator of those events, shared with
/// <see cref="IngestionEncodeBenchmarks"/>.
/// </summary>
[Rows(EventCount)]
// An operation takes milliseconds, not seconds: 32 of them per iteration reach the 100 ms BenchmarkDotNet asks of one.
[InvocationCount(32)]
public class IngestionParseBenchmarks
{
    public const int EventCount = 2_000;

    internal const string Workspace = "acme";

    private static readonly string[] ProductNames = ["Writer", "Support Copilot", "Code Assist", "Insight Search", "Meeting Notes", "Translate"];

    private static readonly string[] FirstNames =
    [
        "Ada", "Alan", "Amara", "Ben", "Carla", "Chen", "Dara", "Elena", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Jonas",
        "Julia", "Karim", "Lena", "Lucia", "Maya", "Mei", "Nadia", "Omar", "Priya", "Rafael", "Sofia", "Tariq", "Vera", "Yusuf", "Zoe",
    ];

    private static readonly string[] LastNames =
    [
        "Alvarez", "Andersen", "Banerjee", "Becker", "Costa", "Dubois", "Fischer", "Garcia", "Gupta", "Ito", "Kim", "Kowalski",
        "Lopez", "Meyer", "Nakamura", "Nguyen", "Okafor", "Park", "Petrov", "Rossi", "Schmidt", "Silva", "Singh", "Tanaka", "Weber",
    ];

    private static readonly string[] AiNames = ["Athena", "Sage", "Nova", "Orion", "Iris", "Atlas", "Echo", "Lumen"];

    private static readonly (string Name, decimal InputPer1K, decimal OutputPer1K)[] Models =
    [
        ("gpt-4o", 0.0025m, 0.01m), ("gpt-4o-mini", 0.00015m, 0.0006m), ("claude-sonnet-4", 0.003m, 0.015m),
        ("claude-haiku-3.5", 0.0008m, 0.004m), ("gemini-2.5-pro", 0.00125m, 0.01m), ("llama-3.3-70b", 0.0006m, 0.0006m),
    ];

    private ReadOnlyMemory<byte> ndjsonBody;
    private ReadOnlyMemory<byte> arrayBody;

    [GlobalSetup]
    public void SetUp()
    {
        var ndjson = GatewayNdjson(EventCount);
        ndjsonBody = ndjson;
        arrayBody = AsJsonArray(ndjson);

        // A body whose events were all refused would parse fast; both must come through whole.
        Check(EventParser.Parse(ndjsonBody, json: false, Workspace), EventCount);
        Check(EventParser.Parse(arrayBody, json: true, Workspace), EventCount);
    }

    [Benchmark(Baseline = true, Description = "EventParser.Parse, NDJSON body")]
    public EventParser.Result Ndjson() => EventParser.Parse(ndjsonBody, json: false, Workspace);

    [Benchmark(Description = "EventParser.Parse, JSON array body")]
    public EventParser.Result JsonArray() => EventParser.Parse(arrayBody, json: true, Workspace);

    /// <summary>Throws unless <paramref name="result"/> holds <paramref name="events"/> events and no refused line.</summary>
    internal static void Check(EventParser.Result result, int events)
    {
        if (result.Errors.Count > 0 || result.Events.Count != events)
        {
            var first = result.Errors.Count > 0 ? $" First error, line {result.Errors[0].Line}: {result.Errors[0].Reason}" : string.Empty;
            throw new InvalidOperationException($"Parsed {result.Events.Count} events and {result.Errors.Count} errors, expected {events} events.{first}");
        }
    }

    /// <summary>
    /// <paramref name="count"/> events as the gateway sends them, one JSON object per line with every field
    /// of the contract, the same on every run: 5,000 users (Zipf 0.75) in 40 institutions of 10 accounts,
    /// 2,000 prompt templates (Zipf 1.0), 6 products, a call every ~40 ms, 2% failures.
    /// </summary>
    internal static byte[] GatewayNdjson(int count)
    {
        var random = new Random(20_261_120);
        var products = ProductNames.Select(name => (Id: Uuid(random), Name: name)).ToArray();
        var institutions = Enumerable.Range(0, 40)
            .Select(i => (Id: $"inst-{i:D3}", Account: $"acct-{i % 10:D2}", Domain: $"inst{i:D3}.example.edu", Instance: $"Campus {i:D3}", Ai: AiNames[i % AiNames.Length]))
            .ToArray();
        var users = Enumerable.Range(0, 5_000).Select(i =>
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var institution = random.Next(institutions.Length);
            var roll = random.NextDouble();
            return (
                Id: $"usr_{unchecked((uint)i * 2654435761u):x8}",
                Email: $"{first}.{last}{i % 97}@{institutions[institution].Domain}".ToLowerInvariant(),
                First: first,
                Last: last,
                Role: roll < 0.88 ? "user" : roll < 0.98 ? "admin" : "super",
                Institution: institution,
                Product: random.Next(products.Length));
        }).ToArray();
        var prompts = Enumerable.Range(0, 2_000).Select(i => $"pt_{unchecked((ulong)i * 0x9E3779B97F4A7C15UL) & 0xFFFF_FFFF_FFFFUL:x12}").ToArray();
        var userWeights = Zipf(users.Length, 0.75);
        var promptWeights = Zipf(prompts.Length, 1.0);

        var start = new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);
        var buffer = new ArrayBufferWriter<byte>(count * 640);
        using var json = new Utf8JsonWriter(buffer);
        var at = start;
        for (var i = 0; i < count; i++)
        {
            var user = users[Pick(random, userWeights)];
            var institution = institutions[random.NextDouble() < 0.1 ? random.Next(institutions.Length) : user.Institution];
            var product = products[random.NextDouble() < 0.75 ? user.Product : random.Next(products.Length)];
            var model = Models[random.Next(Models.Length)];
            var failed = random.NextDouble() < 0.02;
            var input = (uint)random.Next(20, 6_000);
            var output = failed ? 0u : (uint)random.Next(1, 1_500);
            var originRoll = random.NextDouble();
            at = at.AddMilliseconds(random.Next(1, 80));

            json.Reset(buffer);
            json.WriteStartObject();
            json.WriteString("event_id"u8, Uuid(random));
            json.WriteString("timestamp"u8, at);
            json.WriteString("user_id"u8, user.Id);
            json.WriteString("prompt_id"u8, prompts[Pick(random, promptWeights)]);
            json.WriteString("product_id"u8, product.Id);
            json.WriteString("product_name"u8, product.Name);
            json.WriteString("user_email"u8, user.Email);
            json.WriteString("user_fname"u8, user.First);
            json.WriteString("user_lname"u8, user.Last);
            json.WriteString("user_role"u8, user.Role);
            json.WriteString("account_id"u8, institution.Account);
            json.WriteString("institution_id"u8, institution.Id);
            json.WriteString("instance_name"u8, institution.Instance);
            json.WriteString("ai_name"u8, institution.Ai);
            json.WriteString("origin"u8, originRoll < 0.75 ? "APP" : originRoll < 0.95 ? "SLACK" : "API_KEY");
            json.WriteString("history_id"u8, $"h_{user.Id[4..]}_{random.Next(64):x2}");
            json.WriteString("model"u8, model.Name);
            json.WriteNumber("input_tokens"u8, input);
            json.WriteNumber("output_tokens"u8, output);
            json.WriteNumber("cost"u8, Math.Round(((input * model.InputPer1K) + (output * model.OutputPer1K)) / 1000m, 9));
            json.WriteNumber("credits"u8, Math.Round((input + (4m * output)) / 1000m, 6));
            json.WriteString("status"u8, failed ? "error"u8 : "ok"u8);
            json.WriteNumber("latency_ms"u8, (uint)(250 + (output * 12) + random.Next(300)));
            json.WriteEndObject();
            json.Flush();
            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The lines of <paramref name="ndjson"/> (each ending with a line feed) as one JSON array.</summary>
    internal static byte[] AsJsonArray(ReadOnlySpan<byte> ndjson)
    {
        var array = new byte[ndjson.Length + 1];
        array[0] = (byte)'[';
        var items = array.AsSpan(1, ndjson.Length - 1);
        ndjson[..^1].CopyTo(items);
        items.Replace((byte)'\n', (byte)',');
        array[^1] = (byte)']';
        return array;
    }

    private static Guid Uuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Cumulative Zipf weights of <paramref name="count"/> ranks.</summary>
    private static double[] Zipf(int count, double exponent)
    {
        var cumulative = new double[count];
        var sum = 0.0;
        for (var rank = 0; rank < count; rank++)
        {
            sum += 1.0 / Math.Pow(rank + 1, exponent);
            cumulative[rank] = sum;
        }

        return cumulative;
    }

    private static int Pick(Random random, double[] cumulative)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }
}
