using Analytics.LoadTest.Generation;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Http;

/// <summary>
/// The service side: a key, the caps, the ingestion flood, the service's peak memory, then (once the
/// service is idle again) the three APIs' query rounds.
/// </summary>
internal static class HttpPhase
{
    public static async Task<PhaseResults> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var model = new TrafficModel(options);
        var results = new PhaseResults();
        var service = options.ServicePid > 0 ? new ServiceProcess(options.ServicePid) : null;
        var engine = options.EnginePid > 0 ? new ServiceProcess(options.EnginePid) : null;
        using var client = new ServiceClient(options);

        // The server path's facts go beside the embedded service's, not over them.
        var prefix = options.ServerPath ? "server" : "service";
        Console.WriteLine($"Service at {options.Url} (pid {options.ServicePid}{(engine is null ? "" : $", its ClickHouse server pid {options.EnginePid}")})");
        await client.WaitHealthyAsync(TimeSpan.FromSeconds(120), cancellationToken);
        var key = await client.CreateKeyAsync(options.AdminToken, options.Workspace, cancellationToken);
        var caps = model.Caps();
        foreach (var (user, cap) in caps)
        {
            await client.SetCapAsync(key, user, cap, cancellationToken);
        }

        results.Facts[prefix + ".rss_before_ingest"] = Megabytes(service?.Rss);
        Console.WriteLine($"Key created, {caps.Count} caps set. Ingesting {options.Events:N0} events ({options.Batch}/request, {options.Concurrency} concurrent)...");
        var ingest = await new IngestionFlood(options, client, key, service, engine).RunAsync(DataFiles.Events(options), options.Events, cancellationToken);
        results.Ingest.Add(ingest);
        results.Facts[prefix + ".rss_after_ingest"] = Megabytes(service?.Rss);
        Console.WriteLine(
            $"Ingested {ingest.Events:N0} events in {ingest.Seconds:F1} s: {ingest.EventsPerSecond:N0} events/s, {ingest.MegabytesPerSecond:F1} MB/s; " +
            $"request p50/p95/p99 {ingest.RequestLatency!.P50:F0}/{ingest.RequestLatency.P95:F0}/{ingest.RequestLatency.P99:F0} ms; " +
            $"accepted {ingest.Accepted:N0}, duplicates {ingest.Duplicates:N0}, quarantined {ingest.Quarantined:N0}, retries {ingest.Retries:N0}; " +
            $"service peak RSS {Megabytes(ingest.PeakRssBytes)}; CPU: service{(engine is null ? "" : " and its server")} {ingest.IngesterCpuSeconds:F1} s, load generator {ingest.ClientCpuSeconds:F1} s");

        if (service is not null)
        {
            // Merges after a flood take longer the more was ingested: 30 s covers 10M events, 3 s a million beyond.
            var limit = TimeSpan.FromSeconds(Math.Max(30, 3 * (options.Events / 1_000_000)));
            var waited = await service.WaitIdleAsync(limit, cancellationToken);
            results.Facts[prefix + ".idle_wait_seconds"] = waited.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine(waited < limit
                ? $"Service idle after {waited.TotalSeconds:F0} s (background merges done)."
                : $"Service still busy after {waited.TotalSeconds:F0} s; the queries start anyway.");
        }

        Console.WriteLine("Query rounds against the service's APIs...");
        results.Queries.AddRange(await new ApiQueries(options, client, key).RunAsync(new QueryPlan(model), cancellationToken));
        results.Facts[prefix + ".peak_rss_total"] = Megabytes(service?.PeakRss);
        if (engine is not null)
        {
            results.Facts["server.engine_peak_rss"] = Megabytes(engine.PeakRss);
        }

        return results;
    }

    private static string Megabytes(long? bytes) => bytes is { } b ? $"{b / 1e6:N0} MB" : "n/a";
}
