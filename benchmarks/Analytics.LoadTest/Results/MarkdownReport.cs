using System.Globalization;
using System.Text;
using Analytics.LoadTest.Engine;
using Analytics.LoadTest.Http;
using Analytics.LoadTest.Postgres;
using Analytics.LoadTest.Queries;

namespace Analytics.LoadTest.Results;

/// <summary>Gathers the phases' results into the Markdown the script prints, and the figures kept per size.</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(LoadTestOptions options, PhaseResults results, IReadOnlyList<SavedRun> sizes)
    {
        var md = new StringBuilder();
        var facts = results.Facts;
        md.AppendLine(Invariant, $"## Load test and baselines: {options.Events:N0} events");
        md.AppendLine();
        md.AppendLine(Invariant, $"- **Machine:** {Machine.Describe()}");
        md.AppendLine(Invariant, $"- **Command:** `{(options.Command.Length > 0 ? options.Command : "benchmarks/run-comparison.sh")}`");
        md.AppendLine(Invariant, $"- **Data:** {Fact(facts, "data.description")}");
        md.AppendLine(Invariant, $"- **Engines:** chDB {Fact(facts, "engine.version")} (service and baseline, one engine per process, separate data folders); {Fact(facts, "postgres.version")}");
        md.AppendLine();

        Targets(md, options, results);
        Ingestion(md, results);
        Queries(md, results);
        Notes(md, options, facts);
        if (sizes.Count > 1)
        {
            Scale(md, sizes);
        }

        return md.ToString();
    }

    /// <summary>The figures that go into the per-size comparison.</summary>
    public static List<ScaleFigure> Figures(PhaseResults results)
    {
        var figures = new List<ScaleFigure>();
        foreach (var ingest in results.Ingest)
        {
            figures.Add(new($"ingest: {ingest.System}, events/s", ingest.EventsPerSecond, "events/s"));
            if (ingest.RequestLatency is { Count: > 0 } latency)
            {
                figures.Add(new($"ingest: {ingest.System}, request p50", latency.P50, "ms"));
                figures.Add(new($"ingest: {ingest.System}, request p99", latency.P99, "ms"));
            }

            if (ingest.PeakRssBytes is { } rss)
            {
                figures.Add(new(ingest.System == IngestionFlood.System ? "service peak RSS during the flood" : $"{ingest.System}: service peak RSS during the flood", rss / 1e6, "MB"));
            }
        }

        foreach (var query in results.Queries.Where(q => q.Latency.Count > 0))
        {
            figures.Add(new($"{query.Api}: {query.System}, p50", query.Latency.P50, "ms"));
            figures.Add(new($"{query.Api}: {query.System}, p95", query.Latency.P95, "ms"));
        }

        return figures;
    }

    /// <summary>The goals the load test is held to, each beside this run's figure.</summary>
    private static void Targets(StringBuilder md, LoadTestOptions options, PhaseResults results)
    {
        const long TargetEvents = 10_000_000;
        const double MaxP99 = 50, MinTimesPostgres = 20, MinTimesEngine = 1.0;
        md.AppendLine("### Against the targets");
        md.AppendLine();
        if (options.Events != TargetEvents)
        {
            md.AppendLine(Invariant, $"The targets are set at {TargetEvents:N0} events; this run has {options.Events:N0}.");
            md.AppendLine();
        }

        md.AppendLine("| target | this run | met |");
        md.AppendLine("|---|---:|---|");
        var service = results.Ingest.FirstOrDefault(i => i.System == IngestionFlood.System);
        foreach (var (baseline, label) in new[]
                 {
                     (EnginePhase.EventsOnly, "the engine's own JSONEachRow insert of the same NDJSON into the events table"),
                     (EnginePhase.WithRollups, "the engine's own insert of it into the whole schema, rollup views included (the service's storage work)"),
                 })
        {
            var engine = results.Ingest.FirstOrDefault(i => i.System == baseline);
            double? ratio = service is null || engine is null ? null : service.EventsPerSecond / engine.EventsPerSecond;
            md.AppendLine(Invariant, $"| ingestion, events/s: at least {MinTimesEngine:F1}× {label} | {Times(ratio)} | {Met(AtLeast(ratio, MinTimesEngine))} |");
        }

        foreach (var api in ApiNames.All)
        {
            var mine = results.Queries.FirstOrDefault(q => q.Api == api && q.System == ApiQueries.System);
            var postgres = results.Queries.FirstOrDefault(q => q.Api == api && q.System == PostgresQueries.System);
            double? p99 = mine is { Latency.Count: > 0 } ? mine.Latency.P99 : null;
            var compared = mine is null || postgres is null ? null : Compare(mine, postgres);
            md.AppendLine(Invariant, $"| {api}: p99 at most {MaxP99:F0} ms | {(p99 is { } p ? $"{p:F1} ms" : "n/a")} | {Met(p99 is { } worst ? worst <= MaxP99 : null)} |");
            md.AppendLine(Invariant,
                $"| {api}: at least {MinTimesPostgres:F0}× faster than PostgreSQL (p50 over the k requests both answered) | {Times(compared?.P50)}{(compared is { } c ? $" (k = {c.Common})" : string.Empty)} | {Met(AtLeast(compared?.P50, MinTimesPostgres))} |");
        }

        md.AppendLine(Invariant,
            $"| service memory bounded under the flood: its peak RSS | {(service?.PeakRssBytes is { } rss ? $"{rss / 1e6:N0} MB" : "n/a")} | reported |");
        md.AppendLine();

        static string Times(double? ratio) => ratio is { } r ? string.Create(Invariant, $"{r:F2}×") : "n/a";
        // Lifted comparisons answer false for a missing figure; a target without its figure is "n/a", not missed.
        static bool? AtLeast(double? value, double target) => value is { } v ? v >= target : null;
        static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "n/a" };
    }

    private static void Ingestion(StringBuilder md, PhaseResults results)
    {
        var service = results.Ingest.FirstOrDefault(i => i.System == IngestionFlood.System);
        md.AppendLine("### Ingestion");
        md.AppendLine();
        md.AppendLine("| system | how | events | seconds | events/s | MB/s | request p50 / p95 / p99 (ms) | CPU s | events per CPU s | service ÷ it, events/s | service ÷ it, per CPU s |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var i in results.Ingest)
        {
            var latency = i.RequestLatency is { Count: > 0 } l ? $"{l.P50:F0} / {l.P95:F0} / {l.P99:F0}" : "—";
            var cpu = i.IngesterCpuSeconds is { } c
                ? string.Create(Invariant, $"{c:F1}") + (i.ClientCpuSeconds is { } g ? string.Create(Invariant, $" (+ {g:F1} load generator)") : string.Empty)
                : "—";
            var perCpu = i.EventsPerCpuSecond is { } e ? e.ToString("N0", Invariant) : "—";
            var ratio = service is null || i == service ? "—" : $"**{service.EventsPerSecond / i.EventsPerSecond:F2}×**";
            var cpuRatio = service?.EventsPerCpuSecond is { } s && i != service && i.EventsPerCpuSecond is { } o ? $"{s / o:F2}×" : "—";
            md.AppendLine(Invariant,
                $"| {i.System} | {i.Method} | {i.Events:N0} | {i.Seconds:F1} | {i.EventsPerSecond:N0} | {i.MegabytesPerSecond:F1} | {latency} | {cpu} | {perCpu} | {ratio} | {cpuRatio} |");
        }

        md.AppendLine();
        if (service is not null)
        {
            md.AppendLine(Invariant,
                $"Service: accepted {service.Accepted:N0}, duplicates {service.Duplicates:N0}, quarantined {service.Quarantined:N0}, " +
                $"{service.Requests:N0} requests, {service.Retries:N0} retried after 429/503. " +
                $"**Peak RSS (VmHWM) of the service process under the flood: {(service.PeakRssBytes is { } p ? $"{p / 1e6:N0} MB" : "n/a")}** " +
                $"(RSS {Fact(results.Facts, "service.rss_before_ingest")} before, {Fact(results.Facts, "service.rss_after_ingest")} right after; " +
                $"peak over the whole run including queries {Fact(results.Facts, "service.peak_rss_total")}).");
            md.AppendLine();
        }

        if (results.Ingest.FirstOrDefault(i => i.System == IngestionFlood.ServerPathSystem) is { } server)
        {
            var ratio = service is null ? "n/a" : $"{server.EventsPerSecond / service.EventsPerSecond:F2}×";
            md.AppendLine(Invariant,
                $"Server path: the same flood against a second service started with `Analytics:Engine=Http`, which talks through ClickHouse.Driver " +
                $"to a ClickHouse HTTP interface on loopback served by an embedded engine in another process (the load test's `loopback` phase; its " +
                $"CPU is counted with the service's). **{server.EventsPerSecond:N0} events/s, {ratio} the embedded service's in this run**; " +
                $"accepted {server.Accepted:N0}, duplicates {server.Duplicates:N0}, quarantined {server.Quarantined:N0}. " +
                $"Peak RSS: service {(server.PeakRssBytes is { } p ? $"{p / 1e6:N0} MB" : "n/a")}, the server's process {Fact(results.Facts, "server.engine_peak_rss")}.");
            md.AppendLine();
        }
    }

    private static void Queries(StringBuilder md, PhaseResults results)
    {
        md.AppendLine("### Queries (one request at a time; latency in ms)");
        md.AppendLine();
        md.AppendLine("Ratios compare each system with the API over the requests both answered (the first k of the same list), so a");
        md.AppendLine("system that ran fewer requests in its time cap is compared on those only. Ratios > 1: the API is faster.");
        md.AppendLine();
        md.AppendLine("| API | system | n | p50 | p95 | p99 | API answer size p50 / max | k | it ÷ API, p50 | it ÷ API, p95 | per-request ratio, median | answers agree with the API |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var api in ApiNames.All)
        {
            var reference = results.Queries.FirstOrDefault(q => q.Api == api && q.System == ApiQueries.System);
            foreach (var q in results.Queries.Where(q => q.Api == api).OrderBy(q => Order(q.System)))
            {
                var failures = q.Failures > 0 ? $" ({q.Failures} failed: {q.FirstError})" : string.Empty;
                var size = q.AnswerBytes is { Count: > 0 } b ? $"{Kilobytes(b.P50)} / {Kilobytes(b.Max)}" : "—";
                var compared = reference is null || q == reference ? null : Compare(reference, q);
                md.AppendLine(Invariant,
                    $"| {api} | {q.System}{failures} | {q.Latency.Count} | {q.Latency.P50:F1} | {q.Latency.P95:F1} | {q.Latency.P99:F1} | {size} | " +
                    $"{compared?.Common.ToString(Invariant) ?? "—"} | {(compared is { } c1 ? $"**{c1.P50:F1}×**" : "—")} | " +
                    $"{(compared is { } c2 ? $"{c2.P95:F1}×" : "—")} | {(compared is { } c3 ? $"{c3.Median:F1}×" : "—")} | " +
                    $"{(reference is null || q == reference ? "—" : Agreement(reference, q))} |");
            }
        }

        md.AppendLine();
    }

    /// <summary>The two systems over the requests both ran: ratios of their p50 and p95, and the median of the per-request ratios.</summary>
    private static (int Common, double P50, double P95, double Median)? Compare(QueryFigure api, QueryFigure other)
    {
        double[] a = api.Milliseconds ?? [], o = other.Milliseconds ?? [];
        var pairs = Enumerable.Range(0, Math.Min(a.Length, o.Length))
            .Where(i => !double.IsNaN(a[i]) && !double.IsNaN(o[i]))
            .ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        var mine = Latency.Of(pairs.Select(i => a[i]));
        var theirs = Latency.Of(pairs.Select(i => o[i]));
        var median = Latency.Of(pairs.Select(i => o[i] / a[i])).P50;
        return (pairs.Count, theirs.P50 / mine.P50, theirs.P95 / mine.P95, median);
    }

    private static string Kilobytes(double bytes) => bytes >= 1e6 ? $"{bytes / 1e6:F1} MB" : $"{bytes / 1e3:F1} KB";

    private static void Notes(StringBuilder md, LoadTestOptions options, Dictionary<string, string> facts)
    {
        md.AppendLine("### How it was measured");
        md.AppendLine();
        md.AppendLine(Invariant,
            $"- **Ingestion, service:** the generated NDJSON file is read in batches of {options.Batch} events and POSTed by {options.Concurrency} concurrent " +
            $"senders over loopback HTTP/1.1; each 200 comes after the batch is committed (rollup views included). events/s = events ÷ wall time " +
            $"from the first request to the last answer. The load generator shares the machine's cores with the service.");
        md.AppendLine(
            "- **Ingestion, engine baseline:** the same file, after the service has stopped, streamed by the load-test process into its own embedded " +
            "engine with one `INSERT INTO events (...)` in JSONEachRow (chunks of 2,000 lines): first into a scratch copy of the service's events " +
            "table alone (the baseline the service must not be slower than), then into a scratch database with the service's whole schema, whose " +
            "materialized views fill the same rollups the service fills. The engine parses JSON itself; the service also validates, de-duplicates and serves HTTP.");
        md.AppendLine(Invariant,
            $"- **Ingestion, PostgreSQL:** `COPY events FROM` a CSV of the same events ({Fact(facts, "postgres.copy_seconds")} s), then the primary key " +
            $"(workspace, event id) and four indexes ({Fact(facts, "postgres.index_seconds")} s), then `VACUUM (ANALYZE)` ({Fact(facts, "postgres.vacuum_seconds")} s).");
        md.AppendLine(Invariant,
            $"- **Queries:** every system answers the same {options.Queries} requests per API (varied windows, 1-100 prompt ids, product/search/origin " +
            $"filters, day/week/month granularity, institution/account/role/search filters, some window edges off midnight) after up to {options.Warmup} " +
            $"untimed warm-up requests, one at a time; each round stops after {options.QuerySeconds} s (at least one request; n shows how many ran). " +
            $"The API is timed from sending the HTTP request until the whole body is read. Raw SQL runs the same question on the raw events " +
            $"table in the load-test process's engine (the events ingested from the same file, i.e. the same data the service stored), through " +
            $"our provider with server-side parameters, timed until every row is decoded. PostgreSQL runs it in one long psql session; its time is " +
            $"psql's `\\timing` (from sending the query to the last row received over the Unix socket; psql stops the clock before it prints); an empty `SELECT 1` takes {Fact(facts, "postgres.empty_query_ms")} ms there. " +
            $"Ratios > 1 mean the API is faster. Before each round the system under test was idle (service: CPU < 5% for 3 s; engine: no merges running).");
        md.AppendLine(
            "- **Answers agree:** the first timed requests of each system are checksummed (A: calls and cost; B: rows and prompts; C: rows, " +
            "query counts, truncation and users at cap) and compared with the API's answers to the same requests.");
        md.AppendLine(Invariant, $"- **PostgreSQL settings:** {Fact(facts, "postgres.settings")}; table + indexes {Megabytes(facts, "postgres.table_bytes")}.");
        md.AppendLine(Invariant,
            $"- **Storage:** service data folder {Megabytes(facts, "service.data_bytes")} (events, rollups, control tables); raw events copy in the engine {Megabytes(facts, "engine.events_bytes")}.");
        md.AppendLine();
    }

    private static void Scale(StringBuilder md, IReadOnlyList<SavedRun> sizes)
    {
        md.AppendLine("### How the figures grow with the data");
        md.AppendLine();
        md.Append("| figure |");
        foreach (var size in sizes)
        {
            md.Append(Invariant, $" {size.Events:N0} events |");
        }

        md.AppendLine(" last ÷ first |");
        md.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", sizes.Count))).AppendLine("---:|");
        foreach (var name in sizes[^1].Figures.Select(f => f.Name))
        {
            var values = sizes.Select(s => s.Figures.FirstOrDefault(f => f.Name == name)).ToList();
            var unit = values.OfType<ScaleFigure>().First().Unit;
            md.Append(Invariant, $"| {name} ({unit}) |");
            foreach (var value in values)
            {
                md.Append(value is null ? " — |" : string.Create(Invariant, $" {Format(value.Value)} |"));
            }

            var (first, last) = (values[0], values[^1]);
            md.AppendLine(first is null || last is null || first.Value == 0 ? " — |" : string.Create(Invariant, $" {last.Value / first.Value:F2}× |"));
        }

        md.AppendLine();
    }

    private static string Agreement(QueryFigure reference, QueryFigure other)
    {
        var pairs = reference.Checksums.Zip(other.Checksums).ToList();
        var same = pairs.Count(p => p.First == p.Second && p.First is not ("?" or "failed"));
        var text = $"{same}/{pairs.Count}";
        var first = pairs.FirstOrDefault(p => p.First != p.Second);
        return first == default ? text : $"{text} (e.g. API `{first.First}` vs `{first.Second}`)";
    }

    private static int Order(string system) => system switch
    {
        ApiQueries.System => 0,
        ApiQueries.ServerPathSystem => 1,
        RawQueries.System => 2,
        PostgresQueries.System => 3,
        _ => 4,
    };

    private static string Fact(Dictionary<string, string> facts, string key) => facts.TryGetValue(key, out var v) ? v : "n/a";

    private static string Megabytes(Dictionary<string, string> facts, string key) =>
        facts.TryGetValue(key, out var v) && long.TryParse(v, out var bytes) ? $"{bytes / 1e6:N0} MB" : "n/a";

    private static string Format(double value) => value switch
    {
        >= 1000 => value.ToString("N0", Invariant),
        >= 10 => value.ToString("F1", Invariant),
        _ => value.ToString("F2", Invariant),
    };
}
