using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;
using BenchmarkDotNet.Attributes;
using Dapper;

namespace Analytics.Benchmarks;

/// <summary>
/// Inserting a million event rows: the engine consuming ready Native blocks (baseline) against the
/// provider's paths, so each ratio is what that path adds to the engine's own insert work.
/// </summary>
[Rows(RowCount)]
public class BulkInsertBenchmarks
{
    public const int RowCount = 1_000_000;

    private const string Database = "bench_insert";
    private const string Table = $"{Database}.events";

    private static readonly string InsertSql = EventRows.InsertInto(Table);

    private ClickHouseConnection connection = null!;
    private RawChDbConnection raw = null!;
    private ClickHouseBulkWriter writer = null!;
    private object?[][] rows = null!;
    private ClickHouseType[] types = null!;
    private byte[][] nativeBlocks = null!;
    private ReadOnlyMemory<byte>[] nativeChunks = null!;
    private ReadOnlyMemory<byte>[] jsonChunks = null!;

    // Blocking on purpose: the in-process toolchain of BenchmarkDotNet 0.14 does not await async
    // setup or cleanup methods (dotnet/BenchmarkDotNet#1738), so the benchmarks would start early.
    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void CleanUp() => CleanUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        connection = await BenchmarkEngine.OpenDatabaseAsync(Database);
        await connection.ExecuteAsync(EventRows.CreateTable(Table));
        rows = EventRows.Generate(RowCount);
        types = EventRows.Types();
        nativeBlocks = EventRows.EncodeNative(rows, ClickHouseDefaults.BulkBlockRows);
        nativeChunks = [.. nativeBlocks.Select(b => (ReadOnlyMemory<byte>)b)];
        jsonChunks = [.. EventRows.EncodeJson(rows, ClickHouseDefaults.BulkBlockRows).Select(b => (ReadOnlyMemory<byte>)b)];

        // One writer for the whole run, as an ingestion service holds one: it reads the column types once.
        writer = connection.CreateBulkWriter(Table, EventRows.Names);
        raw = BenchmarkEngine.OpenRaw();
    }

    private async Task CleanUpAsync()
    {
        raw.Dispose();
        await BenchmarkEngine.DropDatabaseAsync(connection);
    }

    // Every insert starts from an empty table, so no run pays for the previous run's parts or merges.
    [IterationSetup]
    public void EmptyTable() => raw.Query($"TRUNCATE TABLE {Table}", "Null");

    // A benchmark that silently wrote nothing would look fast; check every insert landed in full.
    [IterationCleanup(Targets = [nameof(EngineNative), nameof(ProviderNativePreEncoded), nameof(BulkWriter), nameof(ProviderJsonEachRow)])]
    public void CheckRowCount()
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count() FROM {Table}";
        var count = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (count != RowCount)
        {
            throw new InvalidOperationException($"The table holds {count} rows after an insert, expected {RowCount}.");
        }
    }

    [Benchmark(Baseline = true, Description = "Engine stream insert, Native blocks encoded in setup")]
    public ulong EngineNative() => raw.Insert(InsertSql, "Native", nativeBlocks);

    [Benchmark(Description = "InsertRawAsync, Native blocks encoded in setup")]
    public Task<ulong> ProviderNativePreEncoded() =>
        connection.InsertRawAsync(InsertSql, "Native", nativeChunks, CancellationToken.None);

    [Benchmark(Description = "ClickHouseBulkWriter.WriteAsync from object rows (encoding included)")]
    public Task<ulong> BulkWriter() => writer.WriteAsync(rows);

    // Not an insert: the encoding share of the bulk writer's time, done as WriteAsync does it (a fresh writer per call).
    [Benchmark(Description = "ClickHouseBulkWriter.EncodeBlock only, no engine")]
    public long EncodeOnly()
    {
        var native = new NativeWriter();
        long bytes = 0;
        foreach (var block in rows.Chunk(ClickHouseDefaults.BulkBlockRows))
        {
            native.Clear();
            ClickHouseBulkWriter.EncodeBlock(native, EventRows.Names, types, block);
            bytes += native.Length;
        }

        return bytes;
    }

    [Benchmark(Description = "InsertRawAsync, JSONEachRow serialized in setup")]
    public Task<ulong> ProviderJsonEachRow() =>
        connection.InsertRawAsync(InsertSql, "JSONEachRow", jsonChunks, CancellationToken.None);
}
