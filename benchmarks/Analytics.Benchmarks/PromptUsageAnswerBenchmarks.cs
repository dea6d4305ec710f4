using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Analytics.Api.Features.PromptUsage;
using Analytics.Api.Features.Shared;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Transport;
using BenchmarkDotNet.Attributes;
using Dapper;

namespace Analytics.Benchmarks;

/// <summary>
/// B's answer for a million rows (a month of every product and user, as the load test's largest
/// answers are), engine included: the engine writing the JSON itself, as the service does, against
/// the engine returning rows that are mapped to objects by Dapper and serialized by System.Text.Json
/// with the service's options (baseline), and against the engine's JSON held whole before it is copied.
/// All write into one reused in-memory body.
/// </summary>
[Rows(RowCount)]
public class PromptUsageAnswerBenchmarks
{
    public const int RowCount = 1_000_000;

    private const string Database = "bench_prompt_usage";

    // B's select list and order over a table shaped like its result.
    private const string Select = """
        SELECT product_id, product_name, user_id, user_email, date, prompt_count
        FROM usage ORDER BY date, product_name, user_email, product_id, user_id
        """;

    private readonly MemoryStream body = new(256 << 20);
    private readonly JsonSerializerOptions json = QueryResponseBenchmarks.ServiceJsonOptions();
    private ClickHouseConnection connection = null!;
    private ClickHouseConnection server = null!;
    private ClickHouseConnection driverInProcess = null!;

    // Blocking on purpose: the in-process toolchain does not await async setup (see DecodeBenchmarks).
    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void CleanUp() => CleanUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        connection = await BenchmarkEngine.OpenDatabaseAsync(Database);
        await connection.ExecuteAsync("""
            CREATE TABLE usage (
                product_id UUID, product_name String, user_id String, user_email String, date Date, prompt_count Int64)
            ENGINE = MergeTree ORDER BY (date, product_id, user_id)
            """);
        await connection.ExecuteAsync($"""
            INSERT INTO usage
            SELECT
                reinterpretAsUUID(sipHash128(number % 6)),
                ['Writer', 'Support Copilot', 'Code Assist', 'Insight Search', 'Meeting Notes', 'Translate'][number % 6 + 1],
                concat('usr_', lower(hex(sipHash64(intDiv(number, 6) % 20000)))),
                concat('user.', toString(intDiv(number, 6) % 20000), '@inst', toString(number % 40), '.example.edu'),
                toDate('2026-10-01') + intDiv(number, {RowCount / 31 + 1}),
                toInt64(number % 59 + 1)
            FROM numbers({RowCount})
            """);
        await connection.ExecuteAsync("OPTIMIZE TABLE usage FINAL");
        server = await BenchmarkEngine.OpenServerPathAsync(Database);
        driverInProcess = await BenchmarkEngine.OpenDriverInProcessAsync(Database);

        // The engine's JSON must be the same whether streamed or held whole, and rows the same in the same
        // order as the objects path's, whatever each escapes.
        await EngineJsonWholeAnswer();
        var whole = body.ToArray();
        var fromEngine = Rows(await EngineJsonAnswer());
        if (!body.ToArray().AsSpan().SequenceEqual(whole))
        {
            throw new InvalidOperationException("The streamed JSON differs from the JSON held whole.");
        }

        if (!Rows(await ServerPathJsonAnswer()).SequenceEqual(fromEngine) || !Rows(await DriverInProcessJsonAnswer()).SequenceEqual(fromEngine))
        {
            throw new InvalidOperationException("The server path's JSON differs from the embedded engine's.");
        }

        var fromObjects = Rows(await ObjectsAnswer());
        if (fromEngine.Count != RowCount || !fromEngine.SequenceEqual(fromObjects))
        {
            throw new InvalidOperationException($"The answers differ: {fromEngine.Count} and {fromObjects.Count} rows, expected {RowCount} alike.");
        }
    }

    private async Task CleanUpAsync()
    {
        await server.DisposeAsync();
        await driverInProcess.DisposeAsync();
        await BenchmarkEngine.DropDatabaseAsync(connection);
    }

    [Benchmark(Baseline = true, Description = "B, 1M rows: RowBinary, Dapper to PromptUsageRow, System.Text.Json (the replaced path)")]
    public async Task<long> ObjectsAnswer()
    {
        var pipe = OpenBody();
        var rows = connection.QueryUnbufferedAsync<PromptUsageRow>(Select);
        await JsonSerializer.SerializeAsync(pipe, rows, (JsonTypeInfo<IAsyncEnumerable<PromptUsageRow>>)json.GetTypeInfo(typeof(IAsyncEnumerable<PromptUsageRow>)));
        await pipe.CompleteAsync();
        return body.Length;
    }

    [Benchmark(Description = "B, 1M rows: the engine writes the JSON, streamed to the body block by block (the service's path)")]
    public Task<long> EngineJsonAnswer() => StreamedJsonAnswer(connection);

    [Benchmark(Description = "B, 1M rows: the same through the server path (the driver over HTTP to the loopback server)")]
    public Task<long> ServerPathJsonAnswer() => StreamedJsonAnswer(server);

    [Benchmark(Description = "B, 1M rows: the same through the driver over the embedded engine in process (no socket)")]
    public Task<long> DriverInProcessJsonAnswer() => StreamedJsonAnswer(driverInProcess);

    private async Task<long> StreamedJsonAnswer(ClickHouseConnection connection)
    {
        body.SetLength(0);
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        foreach (var (name, value) in EngineJson<PromptUsageRow>.FormatSettings)
        {
            command.Settings[name] = value;
        }

        await using var result = await command.ExecuteRawAsync(EngineJson<PromptUsageRow>.Format);
        await result.CopyToAsync(body);
        return body.Length;
    }

    [Benchmark(Description = "B, 1M rows: the engine writes the JSON, held whole, then copied to the body (the previous path)")]
    public async Task<long> EngineJsonWholeAnswer()
    {
        body.SetLength(0);
        var request = new QueryRequest(
            Select, Database, Guid.NewGuid().ToString(), EngineJson<PromptUsageRow>.Format, [], EngineJson<PromptUsageRow>.FormatSettings, TimeSpan.FromMinutes(5));
        using var whole = await connection.Transport.QueryAsync(request, CancellationToken.None);
        for (var offset = 0; offset < whole.Memory.Length; offset += ClickHouseRawResult.CopySlice)
        {
            await body.WriteAsync(whole.Memory.Slice(offset, Math.Min(ClickHouseRawResult.CopySlice, whole.Memory.Length - offset)));
        }

        return body.Length;
    }

    private PipeWriter OpenBody()
    {
        body.SetLength(0);
        return PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true));
    }

    private List<(Guid, string, string, string, string, long)> Rows(long length)
    {
        using var document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)length));
        return [.. document.RootElement.EnumerateArray().Select(r => (
            r.GetProperty("product_id").GetGuid(), r.GetProperty("product_name").GetString()!, r.GetProperty("user_id").GetString()!,
            r.GetProperty("user_email").GetString()!, r.GetProperty("date").GetString()!, r.GetProperty("prompt_count").GetInt64()))];
    }
}
