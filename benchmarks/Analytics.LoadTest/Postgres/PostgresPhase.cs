using System.Globalization;
using Analytics.LoadTest.Generation;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Postgres;

/// <summary>
/// The PostgreSQL baseline on the throwaway cluster the script started: the same events loaded with
/// COPY (then the indexes, then VACUUM ANALYZE, each timed), then the three questions.
/// </summary>
internal static class PostgresPhase
{
    public static async Task<PhaseResults> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var results = new PhaseResults();
        var psql = new Psql(options);
        var (version, _) = await psql.RunAsync("\\pset tuples_only on\nSELECT version();\n", cancellationToken);
        results.Facts["postgres.version"] = version.Trim();
        var (settings, _) = await psql.RunAsync(
            "\\pset tuples_only on\n\\pset format unaligned\nSELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings " +
            "WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', " +
            "'fsync', 'synchronous_commit', 'jit', 'random_page_cost', 'wal_level');\n",
            cancellationToken);
        results.Facts["postgres.settings"] = settings.Trim();

        await psql.RunAsync(PostgresQueries.Text("schema"), cancellationToken);
        Console.WriteLine("PostgreSQL: COPY of the same events...");
        var (_, copy) = await psql.RunAsync(
            $"COPY events ({PostgresCsvWriter.Columns}) FROM '{options.Path(DataFiles.PostgresCsv)}' WITH (FORMAT csv);\n", cancellationToken);
        Console.WriteLine($"  COPY {options.Events:N0} rows in {copy:F1} s; indexes...");
        var (_, indexes) = await psql.RunAsync(PostgresQueries.Text("indexes"), cancellationToken);
        Console.WriteLine($"  indexes in {indexes:F1} s; VACUUM ANALYZE...");
        var (_, vacuum) = await psql.RunAsync("VACUUM (ANALYZE) events;\n", cancellationToken);
        Console.WriteLine($"  VACUUM ANALYZE in {vacuum:F1} s");
        await psql.RunAsync(
            $"COPY user_caps (workspace_id, user_id, cap_limit) FROM '{options.Path(DataFiles.PostgresCaps)}' WITH (FORMAT csv);\nANALYZE user_caps;\nANALYZE forgotten_histories;\n",
            cancellationToken);

        var bytes = new FileInfo(options.Path(DataFiles.PostgresCsv)).Length;
        results.Ingest.Add(new IngestFigure("PostgreSQL COPY", "COPY ... FROM file (CSV of the same events), no indexes yet", options.Events, bytes, copy));
        results.Ingest.Add(new IngestFigure(
            "PostgreSQL COPY + indexes + VACUUM ANALYZE", "what it takes before the table answers queries well", options.Events, bytes, copy + indexes + vacuum));
        var (size, _) = await psql.RunAsync("\\pset tuples_only on\nSELECT pg_total_relation_size('events');\n", cancellationToken);
        results.Facts["postgres.table_bytes"] = size.Trim();
        results.Facts["postgres.copy_seconds"] = copy.ToString("F1", CultureInfo.InvariantCulture);
        results.Facts["postgres.index_seconds"] = indexes.ToString("F1", CultureInfo.InvariantCulture);
        results.Facts["postgres.vacuum_seconds"] = vacuum.ToString("F1", CultureInfo.InvariantCulture);

        var queries = new PostgresQueries(options, psql);
        var empty = await queries.EmptyQueryAsync(cancellationToken);
        results.Facts["postgres.empty_query_ms"] = empty.P50.ToString("F3", CultureInfo.InvariantCulture);
        Console.WriteLine($"Query rounds in PostgreSQL (psql \\timing; SELECT 1 takes {empty.P50:F3} ms)...");
        results.Queries.AddRange(await queries.RunAsync(new QueryPlan(new TrafficModel(options)), cancellationToken));
        return results;
    }
}
