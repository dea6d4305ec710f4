using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;

namespace Analytics.Benchmarks;

/// <summary>
/// A realistic LLM-usage events table and a deterministic set of rows for it, in the three shapes
/// the insert benchmarks start from: object rows, Native blocks and JSONEachRow text.
/// </summary>
internal static class EventRows
{
    /// <summary>The table's columns, in insert order, with their ClickHouse types.</summary>
    public static readonly (string Name, string Type)[] Columns =
    [
        ("event_id", "UUID"),
        ("occurred_at", "DateTime64(3, 'UTC')"),
        ("tenant", "LowCardinality(String)"),
        ("user_id", "String"),
        ("session_id", "String"),
        ("prompt_id", "String"),
        ("model", "LowCardinality(String)"),
        ("provider", "LowCardinality(String)"),
        ("input_tokens", "UInt32"),
        ("output_tokens", "UInt32"),
        ("cached_tokens", "Nullable(UInt32)"),
        ("cost_usd", "Decimal(18, 6)"),
        ("latency_ms", "Float64"),
        ("status", "LowCardinality(String)"),
        ("error", "Nullable(String)"),
    ];

    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "o3", "claude-sonnet-4", "claude-haiku-3.5", "gemini-2.5-pro", "llama-3.3-70b", "mistral-large"];
    private static readonly string[] Providers = ["openai", "anthropic", "google", "self-hosted"];

    public static IReadOnlyList<string> Names { get; } = Columns.Select(c => c.Name).ToArray();

    public static ClickHouseType[] Types() => Columns.Select(c => ClickHouseType.Parse(c.Type)).ToArray();

    public static string CreateTable(string table) =>
        $"CREATE TABLE {table} ({string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}"))}) " +
        "ENGINE = MergeTree ORDER BY (tenant, occurred_at)";

    public static string InsertInto(string table) =>
        $"INSERT INTO {table} ({string.Join(", ", Columns.Select(c => ClickHouseSql.QuoteIdentifier(c.Name)))})";

    /// <summary>The same rows on every run: 20 tenants, 50k users, 200k sessions, a unique prompt per event, 3% failures.</summary>
    public static object?[][] Generate(int count)
    {
        var random = new Random(20_251_101);
        var tenants = Enumerable.Range(0, 20).Select(i => $"tenant-{i:D2}").ToArray();
        var users = Enumerable.Range(0, 50_000).Select(i => $"user-{i:D6}").ToArray();
        var id = new byte[16];
        var sessions = Enumerable.Range(0, 200_000).Select(_ =>
        {
            random.NextBytes(id);
            return new Guid(id).ToString("N");
        }).ToArray();
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = new object?[count][];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(id);
            var input = (uint)random.Next(10, 8_000);
            var output = (uint)random.Next(1, 2_000);
            var failed = random.Next(100) < 3;
            rows[i] =
            [
                new Guid(id),
                start.AddMilliseconds(i * 37L),
                tenants[random.Next(tenants.Length)],
                users[random.Next(users.Length)],
                sessions[random.Next(sessions.Length)],
                $"prompt-{random.NextInt64():x16}",
                Models[random.Next(Models.Length)],
                Providers[random.Next(Providers.Length)],
                input,
                output,
                random.Next(10) < 4 ? null : (uint)random.Next(0, (int)input),
                (input * 0.000003m) + (output * 0.000015m),
                random.NextDouble() * 4_000,
                failed ? "error" : "ok",
                failed ? "upstream returned 529: overloaded, retry after 2 s" : null,
            ];
        }

        return rows;
    }

    /// <summary>
    /// The rows' columns read through typed accessors, as the service writes its events: each value is unboxed
    /// into a typed column buffer, and no value is looked at as an object.
    /// </summary>
    public static ClickHouseColumnMap<object?[]> Map() => new ClickHouseColumnMap<object?[]>()
        .Add("event_id", r => (Guid)r[0]!)
        .Add("occurred_at", r => (DateTime)r[1]!)
        .Add("tenant", r => (string)r[2]!)
        .Add("user_id", r => (string)r[3]!)
        .Add("session_id", r => (string)r[4]!)
        .Add("prompt_id", r => (string)r[5]!)
        .Add("model", r => (string)r[6]!)
        .Add("provider", r => (string)r[7]!)
        .Add("input_tokens", r => (uint)r[8]!)
        .Add("output_tokens", r => (uint)r[9]!)
        .Add("cached_tokens", r => (uint?)r[10])
        .Add("cost_usd", r => (decimal)r[11]!)
        .Add("latency_ms", r => (double)r[12]!)
        .Add("status", r => (string)r[13]!)
        .Add("error", r => (string?)r[14]);

    /// <summary>Native blocks of <paramref name="blockRows"/> rows, encoded by the provider's own bulk-writer code.</summary>
    public static byte[][] EncodeNative(object?[][] rows, int blockRows)
    {
        var types = Types();
        var writer = new NativeWriter();
        var blocks = new List<byte[]>();
        foreach (var block in rows.Chunk(blockRows))
        {
            writer.Clear();
            ClickHouseBulkWriter.EncodeBlock(writer, Names, types, block);
            blocks.Add(writer.WrittenMemory.ToArray());
        }

        return [.. blocks];
    }

    /// <summary>JSONEachRow text, one object per line, cut into chunks of <paramref name="blockRows"/> rows.</summary>
    public static byte[][] EncodeJson(object?[][] rows, int blockRows)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        using var json = new Utf8JsonWriter(buffer);
        var chunks = new List<byte[]>();
        foreach (var block in rows.Chunk(blockRows))
        {
            buffer.ResetWrittenCount();
            foreach (var row in block)
            {
                json.Reset(buffer);
                json.WriteStartObject();
                for (var c = 0; c < Columns.Length; c++)
                {
                    WriteJsonValue(json, Columns[c].Name, row[c]);
                }

                json.WriteEndObject();
                json.Flush();
                buffer.Write("\n"u8);
            }

            chunks.Add(buffer.WrittenSpan.ToArray());
        }

        return [.. chunks];
    }

    private static void WriteJsonValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(name); break;
            case Guid g: json.WriteString(name, g.ToString("D")); break;

            // ClickHouse's default (basic) DateTime64 parser reads this layout, in the column's zone (UTC).
            case DateTime dt: json.WriteString(name, dt.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)); break;
            case string s: json.WriteString(name, s); break;
            case uint u: json.WriteNumber(name, u); break;
            case decimal d: json.WriteNumber(name, d); break;
            case double f: json.WriteNumber(name, f); break;
            default: throw new NotSupportedException($"No JSON form for {value.GetType().Name}.");
        }
    }
}
