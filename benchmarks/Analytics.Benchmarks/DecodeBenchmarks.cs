using Analytics.ClickHouse.ADO;
using BenchmarkDotNet.Attributes;
using Dapper;

namespace Analytics.Benchmarks;

/// <summary>
/// Reading a million event rows: the engine producing the result (baseline) against the provider
/// producing it and decoding every value, so the ratio is the provider's read overhead.
/// </summary>
[Rows(RowCount)]
public class DecodeBenchmarks
{
    public const int RowCount = 1_000_000;

    private const string Database = "bench_decode";

    // Qualified, so that the raw connection (which never switches database) runs the very same text.
    private const string Select = $"SELECT id, user, prompt_id, at, cost, latency, tokens FROM {Database}.events";

    private ClickHouseConnection connection = null!;
    private RawChDbConnection raw = null!;

    // Blocking on purpose: the in-process toolchain of BenchmarkDotNet 0.14 does not await async
    // setup or cleanup methods (dotnet/BenchmarkDotNet#1738), so the benchmarks would start early.
    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void CleanUp() => CleanUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        connection = await BenchmarkEngine.OpenDatabaseAsync(Database);
        await connection.ExecuteAsync("""
            CREATE TABLE events (
                id UInt64,
                user LowCardinality(String),
                prompt_id String,
                at DateTime64(3, 'UTC'),
                cost Decimal(18, 6),
                latency Float64,
                tokens Nullable(UInt32))
            ENGINE = MergeTree ORDER BY id
            """);
        await connection.ExecuteAsync($"""
            INSERT INTO events
            SELECT
                number,
                concat('user-', toString(number % 5000)),
                concat('prompt-', lower(hex(sipHash64(number)))),
                toDateTime64('2025-01-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number * 37),
                toDecimal64(number % 100000, 6) / 1000,
                (number % 9973) / 7.0,
                if(number % 10 = 0, NULL, toUInt32(number % 8000))
            FROM numbers({RowCount})
            """);

        // One part, so every run reads the same layout whatever the background merges got to.
        await connection.ExecuteAsync("OPTIMIZE TABLE events FINAL");
        raw = BenchmarkEngine.OpenRaw();
    }

    private async Task CleanUpAsync()
    {
        raw.Dispose();
        await BenchmarkEngine.DropDatabaseAsync(connection);
    }

    [Benchmark(Baseline = true, Description = "Engine call, RowBinaryWithNamesAndTypes, not decoded")]
    public long EngineRowBinary() => raw.Query(Select, "RowBinaryWithNamesAndTypes");

    // Not a provider path: shows what the engine itself would save if the reader consumed Native.
    [Benchmark(Description = "Engine call, Native, not decoded")]
    public long EngineNative() => raw.Query(Select, "Native");

    [Benchmark(Description = "ClickHouseDataReader, streamed (ExecuteReaderAsync), every value read")]
    public async Task<int> DataReader()
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        await using var reader = await command.ExecuteReaderAsync();
        return await ChecksumAsync(reader);
    }

    // The synchronous ExecuteReader takes the output whole before the first row: the cost streaming replaced.
    [Benchmark(Description = "ClickHouseDataReader, output taken whole (ExecuteReader), every value read")]
    public async Task<int> DataReaderWhole()
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        await using var reader = command.ExecuteReader();
        return await ChecksumAsync(reader);
    }

    private static async Task<int> ChecksumAsync(System.Data.Common.DbDataReader reader)
    {
        var checksum = new Checksum();
        while (await reader.ReadAsync())
        {
            checksum.Add(
                reader.GetFieldValue<ulong>(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetDateTime(3),
                reader.GetDecimal(4),
                reader.GetDouble(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<uint>(6));
        }

        return checksum.Verify();
    }

    [Benchmark(Description = "Dapper QueryAsync<Event> (buffered list), every value read")]
    public async Task<int> DapperBuffered()
    {
        var checksum = new Checksum();
        foreach (var e in await connection.QueryAsync<DecodedEvent>(Select))
        {
            checksum.Add(e.Id, e.User, e.PromptId, e.At, e.Cost, e.Latency, e.Tokens);
        }

        return checksum.Verify();
    }

    // Streams rows instead of keeping a million objects alive: separates Dapper's mapping cost from the GC cost of the list.
    [Benchmark(Description = "Dapper QueryUnbufferedAsync<Event>, every value read")]
    public async Task<int> DapperUnbuffered()
    {
        var checksum = new Checksum();
        await foreach (var e in connection.QueryUnbufferedAsync<DecodedEvent>(Select))
        {
            checksum.Add(e.Id, e.User, e.PromptId, e.At, e.Cost, e.Latency, e.Tokens);
        }

        return checksum.Verify();
    }

    /// <summary>Folds every value into sums so that no read can be optimised away, and checks the row count.</summary>
    private struct Checksum
    {
        private int rows;
        private ulong ids;
        private long characters;
        private long ticks;
        private decimal cost;
        private double latency;
        private ulong tokens;

        public void Add(ulong id, string user, string promptId, DateTime at, decimal cost, double latency, uint? tokens)
        {
            rows++;
            ids += id;
            characters += user.Length + promptId.Length;
            ticks += at.Ticks;
            this.cost += cost;
            this.latency += latency;
            this.tokens += tokens ?? 0;
        }

        public readonly int Verify() => rows == RowCount
            ? HashCode.Combine(ids, characters, ticks, cost, latency, tokens)
            : throw new InvalidOperationException($"Read {rows} rows, expected {RowCount}.");
    }
}
