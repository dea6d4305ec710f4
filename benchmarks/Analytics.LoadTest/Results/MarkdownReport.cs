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

    /// <summary>The data size the targets are set for.</summary>
    private const long TargetEvents = 10_000_000;

    /// <summary>API B's answer may take at most this many times what the engine alone takes for it.</summary>
    private const double MaxTimesEngineB = 1.15;

    public static string Write(LoadTestOptions options, PhaseResults results, IReadOnlyList<SavedRun> sizes)
    {
        var md = new StringBuilder();
        var facts = results.Facts;
        md.AppendLine(Invariant, $"## Load test and baselines: {options.Events:N0} events");
        md.AppendLine();
        md.AppendLine(Invariant, $"- **Machine:** {Machine.Describe()}");
        md.AppendLine(Invariant, $"- **Command:** `{(options.Command.Length > 0 ? options.Command : "benchmarks/run-comparison.sh")}`");
        md.AppendLine(Invariant, $"- **Data:** {Fact(facts, "data.description")}");
        md.AppendLine(options.WithBaselines
            ? $"- **Engines:** chDB {Fact(facts, "engine.version")} (service and baseline, one engine per process, separate data folders); {Fact(facts, "postgres.version")}"
            : "- **Engines:** the service's embedded chDB alone (`--baselines none`: no engine or PostgreSQL baseline ran)");
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
            if (ingest.EventsPerCpuSecond is { } perCpu)
            {
                figures.Add(new($"ingest: {ingest.System}, events per CPU-second", perCpu, "events/CPU s"));
            }

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
            figures.Add(new($"{query.Api}: {query.System}, p99", query.Latency.P99, "ms"));
        }

        if (EngineRatios(results) is { } b)
        {
            figures.Add(new($"{ApiNames.PromptUsage}: service ÷ engine alone per request, median", b.Ratios.P50, "×"));
            figures.Add(new($"{ApiNames.PromptUsage}: service ÷ engine alone per request, p95", b.Ratios.P95, "×"));
            figures.Add(new($"{ApiNames.PromptUsage}: service ÷ engine alone per request, max", b.Ratios.Max, "×"));
        }

        return figures;
    }

    /// <summary>
    /// The goals the load test is held to (issue #16, set for <see cref="TargetEvents"/> events), each beside this
    /// run's figure. The PostgreSQL ratios are reported beside them, not held to a goal.
    /// </summary>
    private static void Targets(StringBuilder md, LoadTestOptions options, PhaseResults results)
    {
        const double MinTimesEngine = 1.0, MaxFloodP99 = 1000, MaxP99A = 20, MaxP50B = 30, MaxP99C = 100, MaxPeakRssMegabytes = 1360;
        const int FloodSenders = 32;
        md.AppendLine("### Against the targets");
        md.AppendLine();
        md.AppendLine(Invariant,
            $"The targets (issue #16) are set for {TargetEvents:N0} events{(options.Events != TargetEvents ? string.Create(Invariant, $"; this run has {options.Events:N0}") : string.Empty)}.");
        md.AppendLine();
        md.AppendLine("| target | this run | met |");
        md.AppendLine("|---|---:|---|");

        var service = results.Ingest.FirstOrDefault(i => i.System == IngestionFlood.System);
        var engine = results.Ingest.FirstOrDefault(i => i.System == EnginePhase.WithRollups);
        const string Baseline = "the engine's own JSONEachRow insert of the same NDJSON into the whole schema, rollup views included";
        double? ratio = service is null || engine is null ? null : service.EventsPerSecond / engine.EventsPerSecond;
        md.AppendLine(Invariant,
            $"| ingestion, events/s: at least {MinTimesEngine:F1}× {Baseline} | {Times(ratio)}{Beside(service?.EventsPerSecond, engine?.EventsPerSecond)} | {Met(AtLeast(ratio, MinTimesEngine))} |");
        double? cpuRatio = service?.EventsPerCpuSecond is { } perCpu && engine?.EventsPerCpuSecond is { } itsPerCpu ? perCpu / itsPerCpu : null;
        md.AppendLine(Invariant,
            $"| ingestion, events per CPU-second: at least {MinTimesEngine:F1}× the same insert's | {Times(cpuRatio)}{Beside(service?.EventsPerCpuSecond, engine?.EventsPerCpuSecond)} | {Met(AtLeast(cpuRatio, MinTimesEngine))} |");
        double? floodP99 = service?.RequestLatency is { Count: > 0 } flood ? flood.P99 : null;
        var senders = options.Concurrency == FloodSenders ? string.Empty : string.Create(Invariant, $" (this run: {options.Concurrency} senders)");
        md.AppendLine(Invariant,
            $"| ingestion: request p99 of the {FloodSenders}-sender flood below {MaxFloodP99:N0} ms{senders} | {Milliseconds(floodP99)} | {Met(floodP99 is { } f ? f < MaxFloodP99 : null)} |");
        double? rss = service?.PeakRssBytes / 1e6;
        md.AppendLine(Invariant,
            $"| service peak RSS (VmHWM) under the flood at most {MaxPeakRssMegabytes:N0} MB | {(rss is { } r ? string.Create(Invariant, $"{r:N0} MB") : "n/a")} | {Met(rss is { } m ? m <= MaxPeakRssMegabytes : null)} |");

        var api = ApiFigures(results);
        md.AppendLine(Invariant, $"| A: p99 at most {MaxP99A:F0} ms | {Milliseconds(api.A?.P99)} | {Met(AtMost(api.A?.P99, MaxP99A))} |");
        md.AppendLine(Invariant, $"| B: p50 at most {MaxP50B:F0} ms | {Milliseconds(api.B?.P50)} | {Met(AtMost(api.B?.P50, MaxP50B))} |");
        var b = EngineRatios(results);
        md.AppendLine(Invariant,
            $"| B: each answer within {MaxTimesEngineB:F2}× of the engine alone running the service's statement and writing the same JSON (service HTTP time ÷ engine time, per request): requests within | " +
            $"{(b is { } w ? string.Create(Invariant, $"{w.Within} of {w.Common}") : "n/a")} | {Met(b is { } e ? e.Within == e.Common : null)} |");
        foreach (var (name, value) in new[] { ("median", b?.Ratios.P50), ("p95", b?.Ratios.P95), ("max", b?.Ratios.Max) })
        {
            md.AppendLine(Invariant, $"| B: service ÷ engine per request, {name}: at most {MaxTimesEngineB:F2}× | {Times(value)} | {Met(AtMost(value, MaxTimesEngineB))} |");
        }

        md.AppendLine(Invariant,
            $"| B: the same answers, request by request (rows, prompt counts, SHA-256 of the body) | {(b?.Agreed is { } a ? string.Create(Invariant, $"{a} of {b.Common}") : "n/a")} | {Met(b?.Agreed is { } same ? same == b.Common : null)} |");
        md.AppendLine(Invariant, $"| C: p99 at most {MaxP99C:F0} ms | {Milliseconds(api.C?.P99)} | {Met(AtMost(api.C?.P99, MaxP99C))} |");

        foreach (var name in ApiNames.All)
        {
            var mine = results.Queries.FirstOrDefault(q => q.Api == name && q.System == ApiQueries.System);
            var postgres = results.Queries.FirstOrDefault(q => q.Api == name && q.System == PostgresQueries.System);
            var compared = mine is null || postgres is null ? null : Compare(mine, postgres);
            md.AppendLine(Invariant,
                $"| {name[..1]}: PostgreSQL ÷ API, p50 over the k requests both answered (not a target) | {Times(compared?.P50)}{(compared is { } c ? $" (k = {c.Common})" : string.Empty)} | reported |");
        }

        md.AppendLine();

        static string Times(double? ratio) => ratio is { } r ? string.Create(Invariant, $"{r:F2}×") : "n/a";
        static string Milliseconds(double? ms) => ms is { } m ? string.Create(Invariant, $"{m:F1} ms") : "n/a";
        static string Beside(double? mine, double? baseline) =>
            mine is { } m && baseline is { } o ? string.Create(Invariant, $" ({m:N0} vs {o:N0})") : string.Empty;
        // Lifted comparisons answer false for a missing figure; a target without its figure is "n/a", not missed.
        static bool? AtLeast(double? value, double target) => value is { } v ? v >= target : null;
        static bool? AtMost(double? value, double target) => value is { } v ? v <= target : null;
        static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "n/a" };
    }

    /// <summary>The service's latencies per API (embedded path), where it answered at least one request.</summary>
    private static (Latency? A, Latency? B, Latency? C) ApiFigures(PhaseResults results)
    {
        Latency? Of(string api) => results.Queries.FirstOrDefault(q => q.Api == api && q.System == ApiQueries.System) is { Latency.Count: > 0 } q ? q.Latency : null;
        return (Of(ApiNames.PromptStats), Of(ApiNames.PromptUsage), Of(ApiNames.UserStats));
    }

    /// <summary>
    /// API B beside the engine alone running the service's statement, over the requests both answered (the first k of
    /// the same list): the per-request ratios of the service's time to the engine's, how many were within
    /// <see cref="MaxTimesEngineB"/>, and how many answers had the same digest (null for results saved without digests).
    /// </summary>
    private static EngineComparison? EngineRatios(PhaseResults results)
    {
        var api = results.Queries.FirstOrDefault(q => q.Api == ApiNames.PromptUsage && q.System == ApiQueries.System);
        var engine = results.Queries.FirstOrDefault(q => q.Api == ApiNames.PromptUsage && q.System == ServiceStatementQueries.System);
        if (api is null || engine is null)
        {
            return null;
        }

        double[] a = api.Milliseconds ?? [], e = engine.Milliseconds ?? [];
        var pairs = Enumerable.Range(0, Math.Min(a.Length, e.Length)).Where(i => !double.IsNaN(a[i]) && !double.IsNaN(e[i]) && e[i] > 0).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        var ratios = pairs.Select(i => a[i] / e[i]).ToList();
        int? agreed = null;
        string? mismatch = null;
        if (api.Digests is { } ad && engine.Digests is { } ed)
        {
            var same = pairs.Where(i => i < ad.Length && i < ed.Length && ad[i] == ed[i] && ad[i] is not ("?" or "failed")).ToList();
            agreed = same.Count;
            mismatch = pairs.Except(same).Select(i => $"request {i + 1}: API `{(i < ad.Length ? ad[i] : "?")}` vs engine `{(i < ed.Length ? ed[i] : "?")}`").FirstOrDefault();
        }

        return new(pairs.Count, Latency.Of(ratios), ratios.Count(r => r <= MaxTimesEngineB), agreed, mismatch);
    }

    /// <summary>What <see cref="EngineRatios"/> found.</summary>
    private sealed record EngineComparison(int Common, Latency Ratios, int Within, int? Agreed, string? FirstMismatch);

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
        if (EngineRatios(results) is { } alone)
        {
            var agreement = alone.Agreed is { } agreed
                ? string.Create(Invariant,
                    $"The answers are the same bytes in {agreed} of {alone.Common} (row count, prompt counts and SHA-256 of the body){(alone.FirstMismatch is { } m ? $"; first difference, {m}" : string.Empty)}.")
                : "These results hold no per-request digests, so the answers were not compared byte for byte.";
            md.AppendLine(Invariant,
                $"API B beside the engine alone running the service's own statement on the same rollups, request by request (service HTTP time ÷ " +
                $"engine time, over the k = {alone.Common} requests both answered): median {alone.Ratios.P50:F2}×, p95 {alone.Ratios.P95:F2}×, max {alone.Ratios.Max:F2}×, " +
                $"mean {alone.Ratios.Mean:F2}×; {alone.Within} of {alone.Common} within {MaxTimesEngineB:F2}×. {agreement}");
            md.AppendLine();
        }
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
            $"- **Ingestion, service:** the generated NDJSON file{(options.WithBaselines ? string.Empty : " (gzip-compressed, inflated by the load generator as it reads)")} " +
            $"is read in batches of {options.Batch} events and POSTed by {options.Concurrency} concurrent " +
            $"senders over loopback HTTP/1.1; each 200 comes after the batch is committed (rollup views included). events/s = events ÷ wall time " +
            $"from the first request to the last answer. The load generator shares the machine's cores with the service.");
        if (!options.WithBaselines)
        {
            md.AppendLine(Invariant,
                $"- **Queries:** the service's APIs answer the same {options.Queries} requests per API as in every run (up to {options.Warmup} untimed " +
                $"warm-up requests first), one at a time, each round capped at {options.QuerySeconds} s, once the service is idle (CPU < 5% for 3 s); " +
                $"timed from sending the HTTP request until the whole body is read.");
            md.AppendLine($"- **Storage:** service data folder {Megabytes(facts, "service.data_bytes")} (events, rollups, control tables).");
            md.AppendLine();
            return;
        }

        md.AppendLine(
            "- **Ingestion, engine baseline:** the same file, after the service has stopped, streamed by the load-test process into its own embedded " +
            "engine with one `INSERT INTO events (...)` in JSONEachRow (chunks of 2,000 lines): first into a scratch copy of the service's events " +
            "table alone, then into a scratch database with the service's whole schema, whose materialized views fill the same rollups the service " +
            "fills (the baseline the service must not be slower than, per second and per CPU-second). The engine parses JSON itself; the service " +
            "also validates, de-duplicates and serves HTTP. CPU-seconds: the service's process over the flood, the load-test process over its insert.");
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
            "- **API B beside the engine alone:** on the whole-schema copy (its rollups filled from the same file, once merges rest), the load-test " +
            "process runs the service's own B statement (`sql/queries/prompt_usage.sql`, the file the service runs) for the same requests as the API " +
            "round, with the service's parameters, output format (a JSON array of rows) and format settings, timed from sending it until the whole " +
            "body is read. Each of the service's answers is divided by the engine's time for the same request; the target is every ratio within " +
            $"{MaxTimesEngineB:F2}×. Every answer of both is digested (rows, prompt counts, SHA-256 of the body) and compared request by request.");
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
        ServiceStatementQueries.System => 2,
        RawQueries.System => 3,
        PostgresQueries.System => 4,
        _ => 5,
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
