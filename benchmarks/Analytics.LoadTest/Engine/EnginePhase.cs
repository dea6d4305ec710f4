using System.Diagnostics;
using System.Globalization;
using Analytics.ClickHouse.ADO;
using Analytics.LoadTest.Generation;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Engine;

/// <summary>
/// The engine baselines, in this process's own embedded engine (its own data path; the service has
/// stopped by now): the same NDJSON file inserted by the engine itself (JSONEachRow, one streaming
/// insert) into a scratch copy of the events table, then into a copy with the service's rollup views
/// as well; on that copy, API B's own statement as the service runs it; then the three questions in
/// raw SQL on the raw copy, which holds exactly the events the service stored.
/// </summary>
internal static class EnginePhase
{
    /// <summary>The engine's insert into the events table alone, for comparison.</summary>
    public const string EventsOnly = "engine JSONEachRow, events table only";

    /// <summary>
    /// The engine's insert into the service's whole schema: the same storage work as the service's, and the
    /// baseline the service must not be slower than (per event and per CPU-second).
    /// </summary>
    public const string WithRollups = "engine JSONEachRow, events + rollup views";

    private const string RawDatabase = "loadtest_raw";
    private const string RollupDatabase = "loadtest_rollups";

    public static async Task<PhaseResults> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var results = new PhaseResults();
        var dataPath = options.Path("engine");
        if (Directory.Exists(dataPath))
        {
            Directory.Delete(dataPath, recursive: true);
        }

        await using var connection = new ClickHouseConnection($"Engine=Embedded;Path={dataPath};Database=default;Timeout=3600");
        await connection.OpenAsync(cancellationToken);
        results.Facts["engine.version"] = connection.ServerVersion;

        Console.WriteLine("Engine baseline 1: JSONEachRow into a scratch copy of the events table...");
        await EngineSchema.CreateRawAsync(connection, RawDatabase, options.Workspace, cancellationToken);
        results.Ingest.Add(await InsertAsync(connection, options, EventsOnly, cancellationToken));
        await WaitForMergesAsync(connection, cancellationToken);

        Console.WriteLine("Engine baseline 2: JSONEachRow into the service's whole schema (events + rollup views)...");
        await EngineSchema.CreateFullAsync(connection, RollupDatabase, options.Workspace, cancellationToken);
        results.Ingest.Add(await InsertAsync(connection, options, WithRollups, cancellationToken));

        // API B reads the rollups (product_user_daily and the latest names), which this copy filled from the
        // same events as the service's: its own statement, the same requests as the API round, once merges rest.
        await WaitForMergesAsync(connection, cancellationToken);
        Console.WriteLine("API B's own statement on the whole schema, the engine alone...");
        results.Queries.Add(await new ServiceStatementQueries(options, connection).PromptUsageAsync(new QueryPlan(new TrafficModel(options)), cancellationToken));

        // The raw SQL rounds query only the raw copy; its sibling would keep merging in the background.
        connection.ChangeDatabase("default");
        await EngineSchema.ExecuteAsync(connection, $"DROP DATABASE {RollupDatabase} SYNC", cancellationToken);
        connection.ChangeDatabase(RawDatabase);
        await connection.CreateBulkWriter("user_caps", ["workspace_id", "user_id", "cap_limit", "version"])
            .WriteAsync(new TrafficModel(options).Caps().Select(c => new object?[] { options.Workspace, c.UserId, c.Cap, 1UL }), cancellationToken);
        var waited = await WaitForMergesAsync(connection, cancellationToken);
        results.Facts["engine.idle_wait_seconds"] = waited.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture);
        await using (var size = connection.CreateCommand())
        {
            size.CommandText = "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = {db:String} AND table = 'events' AND active";
            size.Parameters.AddWithValue("db", RawDatabase);
            results.Facts["engine.events_bytes"] = Convert.ToString(await size.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) ?? "n/a";
        }

        Console.WriteLine("Query rounds in raw SQL on the raw events table...");
        results.Queries.AddRange(await new RawQueries(options, connection).RunAsync(new QueryPlan(new TrafficModel(options)), cancellationToken));
        return results;
    }

    private static async Task<IngestFigure> InsertAsync(ClickHouseConnection connection, LoadTestOptions options, string system, CancellationToken cancellationToken)
    {
        var insert = $"INSERT INTO events ({string.Join(", ", EngineSchema.NdjsonColumns)})";
        long bytes = 0, lines = 0;
        var chunks = NdjsonFile.Read(options.Path(DataFiles.Ndjson), 2_000).Select(batch =>
        {
            bytes += batch.Length;
            lines += batch.Lines;
            return batch.Memory;
        });

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var rows = await connection.InsertRawAsync(insert, "JSONEachRow", chunks, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine($"  {system}: {lines:N0} events ({rows:N0} rows written, views included) in {seconds:F1} s: {lines / seconds:N0} events/s, {bytes / 1e6 / seconds:F1} MB/s, {cpuSeconds:F1} CPU s");
        return new IngestFigure(system, "one streaming INSERT ... FORMAT JSONEachRow of the same NDJSON file, in-process", lines, bytes, seconds, IngesterCpuSeconds: cpuSeconds);
    }

    /// <summary>Waits until no merge has run for three checks in a row (at most 30 s), so queries do not compete with them.</summary>
    private static async Task<TimeSpan> WaitForMergesAsync(ClickHouseConnection connection, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var quiet = 0;
        while (quiet < 3 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count() FROM system.merges";
            var merges = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            quiet = merges == 0 ? quiet + 1 : 0;
            await Task.Delay(1000, cancellationToken);
        }

        return clock.Elapsed;
    }
}
