using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;
using BenchmarkDotNet.Attributes;
using ClickHouse.Driver;
using ClickHouse.Driver.Compression;
using Dapper;

namespace Analytics.Benchmarks;

/// <summary>
/// Inserting a million event rows: the engine consuming ready Native blocks (baseline) against the
/// provider's paths, so each ratio is what that path adds to the engine's own insert work. The server path's
/// two inserts (our Native writer through the driver's raw-stream insert, and the driver's own RowBinary bulk
/// insert) go to the loopback server, so they carry its cost too.
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
    private ClickHouseConnection server = null!;
    private ClickHouseBulkWriter serverWriter = null!;
    private ClickHouseConnection driverInProcess = null!;
    private ClickHouseBulkWriter driverInProcessWriter = null!;
    private ClickHouseClient driver = null!;
    private InsertOptions driverOptions = null!;
    private ClickHouseColumnMap<object?[]> map = null!;
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
        map = EventRows.Map();
        types = EventRows.Types();
        nativeBlocks = EventRows.EncodeNative(rows, ClickHouseDefaults.BulkBlockRows);
        nativeChunks = [.. nativeBlocks.Select(b => (ReadOnlyMemory<byte>)b)];
        jsonChunks = [.. EventRows.EncodeJson(rows, ClickHouseDefaults.BulkBlockRows).Select(b => (ReadOnlyMemory<byte>)b)];

        // One writer for the whole run, as an ingestion service holds one: it reads the column types once.
        writer = connection.CreateBulkWriter(Table, EventRows.Names);
        raw = BenchmarkEngine.OpenRaw();

        server = await BenchmarkEngine.OpenServerPathAsync(Database);
        serverWriter = server.CreateBulkWriter(Table, EventRows.Names);
        driverInProcess = await BenchmarkEngine.OpenDriverInProcessAsync(Database);
        driverInProcessWriter = driverInProcess.CreateBulkWriter(Table, EventRows.Names);
        var url = BenchmarkEngine.LoopbackUrl;
        driver = new ClickHouseClient($"Host={url.Host};Port={url.Port};Protocol=http;Database={Database};Compression=false");

        // The column types given, so that no schema probe runs before each insert; one batch, so that the
        // insert is atomic. The driver compresses bulk inserts whatever the connection says (zstd by default,
        // which the loopback server does not take): gzip's stored blocks are the nearest to none.
        driverOptions = new InsertOptions
        {
            ColumnTypes = EventRows.Columns.ToDictionary(c => c.Name, c => c.Type),
            BatchSize = RowCount,
            MaxDegreeOfParallelism = 1,
            Compressor = new GZipCompressor(System.IO.Compression.CompressionLevel.NoCompression, 1 << 16),
        };
    }

    private async Task CleanUpAsync()
    {
        driver.Dispose();
        await server.DisposeAsync();
        await driverInProcess.DisposeAsync();
        raw.Dispose();
        await BenchmarkEngine.DropDatabaseAsync(connection);
    }

    // Every insert starts from an empty table, so no run pays for the previous run's parts or merges.
    [IterationSetup]
    public void EmptyTable() => raw.Query($"TRUNCATE TABLE {Table}", "Null");

    // A benchmark that silently wrote nothing would look fast; check every insert landed in full.
    [IterationCleanup(Targets = [nameof(EngineNative), nameof(ProviderNativePreEncoded), nameof(BulkWriter), nameof(ProviderJsonEachRow), nameof(ServerPathBulkWriter), nameof(DriverRowBinary), nameof(ColumnMapWriter), nameof(ServerPathColumnMapWriter), nameof(DriverInProcessColumnMapWriter)])]
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

    [Benchmark(Description = "ClickHouseBulkWriter.WriteAsync through a typed column map (the service's way; encoding included)")]
    public Task<ulong> ColumnMapWriter() => writer.WriteAsync(rows, map);

    [Benchmark(Description = "Server path: ClickHouseBulkWriter.WriteAsync from object rows, Native through the driver's raw-stream insert")]
    public Task<ulong> ServerPathBulkWriter() => serverWriter.WriteAsync(rows);

    [Benchmark(Description = "Server path: the same through a typed column map (the service's insert)")]
    public Task<ulong> ServerPathColumnMapWriter() => serverWriter.WriteAsync(rows, map);

    [Benchmark(Description = "The driver over the embedded engine in process (no socket), through a typed column map")]
    public Task<ulong> DriverInProcessColumnMapWriter() => driverInProcessWriter.WriteAsync(rows, map);

    [Benchmark(Description = "Server path: the driver's own InsertBinaryAsync from object rows, RowBinary")]
    public Task<long> DriverRowBinary() => driver.InsertBinaryAsync(Table, EventRows.Names, rows!, driverOptions);

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
