using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Analytics.Api.Telemetry;

/// <summary>
/// The service's own instruments, all on one meter named <see cref="MeterName"/>. Counts of events carry the
/// workspace as the <c>workspace</c> tag; what the writer holds (buffer, spool, de-duplication window) is
/// observed when a reader collects.
/// </summary>
public sealed class AnalyticsMetrics
{
    public const string MeterName = "Analytics";

    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly long[] BatchBuckets = [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000];

    private readonly Meter meter;
    private readonly Counter<long> accepted;
    private readonly Counter<long> duplicates;
    private readonly Counter<long> quarantined;
    private readonly Counter<long> spooled;
    private readonly Counter<long> replayed;
    private readonly Histogram<double> insertDuration;
    private readonly Histogram<long> batchSize;
    private readonly Histogram<double> queryDuration;

    public AnalyticsMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        accepted = meter.CreateCounter<long>("analytics.events.accepted", "{event}", "Events stored when first written.");
        duplicates = meter.CreateCounter<long>("analytics.events.duplicate", "{event}", "Events dropped because their event_id was already stored.");
        quarantined = meter.CreateCounter<long>("analytics.events.quarantined", "{event}", "Lines stored in quarantine instead of as events.");
        spooled = meter.CreateCounter<long>("analytics.events.spooled", "{event}", "Events written to the on-disk spool because ClickHouse did not take them.");
        replayed = meter.CreateCounter<long>("analytics.events.replayed", "{event}", "Spooled events stored on replay.");
        insertDuration = meter.CreateHistogram("analytics.insert.duration", "s", "Time of one insert of a batch into ClickHouse, each attempt.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        batchSize = meter.CreateHistogram("analytics.insert.batch_size", "{event}", "Events in one committed insert.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = BatchBuckets });
        queryDuration = meter.CreateHistogram("analytics.query.duration", "s", "Time to answer a query API request, per API.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public void Accepted(string workspace, long count) => Add(accepted, workspace, count);

    public void Duplicates(string workspace, long count) => Add(duplicates, workspace, count);

    public void Quarantined(string workspace, long count) => Add(quarantined, workspace, count);

    public void Spooled(string workspace, long count) => Add(spooled, workspace, count);

    public void Replayed(string workspace, long count) => Add(replayed, workspace, count);

    /// <summary>One insert attempt: its time, whether it committed, and on commit how many events it held.</summary>
    public void Inserted(TimeSpan elapsed, int events, bool committed)
    {
        insertDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", committed ? "committed" : "failed"));
        if (committed)
        {
            batchSize.Record(events);
        }
    }

    /// <summary>A query API's answer, tagged with the API (the endpoint's name) and its HTTP status.</summary>
    public void Queried(string api, TimeSpan elapsed, int status) =>
        queryDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("api", api), new KeyValuePair<string, object?>("http.response.status_code", status));

    /// <summary>Observes what the writer holds: called once, by the writer.</summary>
    public void Observe(Func<long> buffered, long capacity, Func<int> spoolBatches, Func<double> spoolAgeSeconds, Func<int> dedupIds, Func<long> dedupBytes)
    {
        meter.CreateObservableUpDownCounter("analytics.buffer.events", buffered, "{event}", "Events and quarantined lines admitted but not yet stored or spooled.");
        meter.CreateObservableUpDownCounter("analytics.buffer.capacity", () => capacity, "{event}", "The most events the buffer holds (Analytics:Ingestion:BufferCapacity).");
        meter.CreateObservableGauge("analytics.buffer.fill", () => capacity == 0 ? 0 : (double)buffered() / capacity, "1", "Buffered events as a fraction of the capacity.");
        meter.CreateObservableUpDownCounter("analytics.spool.batches", spoolBatches, "{batch}", "Batches waiting in the spool for ClickHouse.");
        meter.CreateObservableGauge("analytics.spool.age", spoolAgeSeconds, "s", "Age of the oldest spooled batch; 0 when the spool is empty.");
        meter.CreateObservableUpDownCounter("analytics.dedup.ids", dedupIds, "{id}", "Event ids remembered in the de-duplication window.");
        meter.CreateObservableUpDownCounter("analytics.dedup.memory", dedupBytes, "By", "Memory the de-duplication window's table takes.");
    }

    private static void Add(Counter<long> counter, string workspace, long count)
    {
        if (count > 0)
        {
            counter.Add(count, new KeyValuePair<string, object?>("workspace", workspace));
        }
    }

    /// <summary>Measures elapsed time without allocating.</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    public static TimeSpan Since(long start) => Stopwatch.GetElapsedTime(start);
}
