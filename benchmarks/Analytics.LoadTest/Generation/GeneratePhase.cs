using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Generation;

/// <summary>
/// Writes the run's events once, before anything is timed: as NDJSON (what the service and the
/// engine baseline take in) and as CSV for PostgreSQL's COPY; the same events in the same order.
/// Without baselines (<c>--baselines none</c>) only the NDJSON is written, gzip-compressed, one
/// gzip member per day. Days are rendered in parallel (each with its own seeded random source,
/// compressed in the same task) and written in order.
/// </summary>
internal static class GeneratePhase
{
    public static PhaseResults Run(LoadTestOptions options)
    {
        Directory.CreateDirectory(options.WorkDir);
        var model = new TrafficModel(options);
        var generator = new EventGenerator(model);
        var clock = Stopwatch.StartNew();
        long count = 0, ndjsonBytes = 0;
        var users = new HashSet<string>(StringComparer.Ordinal);
        var prompts = new HashSet<string>(StringComparer.Ordinal);
        using (var ndjsonFile = File.Create(DataFiles.Events(options)))
        using (var csvFile = options.WithBaselines ? File.Create(options.Path(DataFiles.PostgresCsv)) : null)
        {
            // A few days in flight at once: enough to keep the cores busy, little enough to bound memory.
            var pending = new Queue<Task<RenderedDay>>();
            var next = 0;
            var lastReport = 0L;
            while (next < generator.EventsPerDay.Length || pending.Count > 0)
            {
                while (next < generator.EventsPerDay.Length && pending.Count < Environment.ProcessorCount + 1)
                {
                    var day = next++;
                    pending.Enqueue(Task.Run(() => Render(generator, day, options)));
                }

                var rendered = pending.Dequeue().GetAwaiter().GetResult();
                rendered.Ndjson.WriteTo(ndjsonFile);
                if (csvFile is not null)
                {
                    rendered.Csv?.WriteTo(csvFile);
                }

                count += rendered.Events;
                ndjsonBytes += rendered.NdjsonBytes;
                users.UnionWith(rendered.Users);
                prompts.UnionWith(rendered.Prompts);
                if (count - lastReport >= 1_000_000)
                {
                    lastReport = count;
                    Console.WriteLine($"  generated {count:N0} events ({clock.Elapsed.TotalSeconds:F0} s)");
                }
            }
        }

        if (options.WithBaselines)
        {
            File.WriteAllLines(
                options.Path(DataFiles.PostgresCaps),
                model.Caps().Select(c => string.Create(CultureInfo.InvariantCulture, $"{options.Workspace},{c.UserId},{c.Cap}")));
        }

        var stored = new FileInfo(DataFiles.Events(options)).Length;

        Console.WriteLine(
            $"Generated {count:N0} events ({ndjsonBytes / 1e6:N0} MB of NDJSON, {ndjsonBytes / (double)count:F0} bytes/event" +
            (options.WithBaselines ? ") " : string.Create(CultureInfo.InvariantCulture, $"; {stored / 1e6:N0} MB gzip-compressed) ")) +
            $"in {clock.Elapsed.TotalSeconds:F1} s: {users.Count:N0} active users, {prompts.Count:N0} templates used, " +
            $"{model.FirstDay:yyyy-MM-dd} to {model.LastDay:yyyy-MM-dd}.");

        var results = new PhaseResults();
        results.Facts["data.events"] = count.ToString(CultureInfo.InvariantCulture);
        results.Facts["data.ndjson_bytes"] = ndjsonBytes.ToString(CultureInfo.InvariantCulture);
        results.Facts["data.description"] =
            $"{count:N0} events over {options.Days} days ({model.FirstDay:yyyy-MM-dd} to {model.LastDay:yyyy-MM-dd}), one workspace; " +
            $"{users.Count:N0} of {options.Users:N0} users active (Zipf 0.75), {prompts.Count:N0} of {options.Prompts:N0} templates used (Zipf 1.0), " +
            $"{options.Products} products, {options.Institutions} institutions in {Math.Max(1, options.Institutions / 4)} accounts, " +
            $"{model.Caps().Count} capped users; weekday/weekend 1 : 0.35, diurnal peak 14-15 h UTC, growth +33% over the period; " +
            $"{ndjsonBytes / (double)count:F0} bytes/event of NDJSON; seed {options.Seed}";
        return results;
    }

    private static RenderedDay Render(EventGenerator generator, int day, LoadTestOptions options)
    {
        var ndjson = new MemoryStream();
        var csv = options.WithBaselines ? new MemoryStream() : null;
        var users = new HashSet<string>(StringComparer.Ordinal);
        var prompts = new HashSet<string>(StringComparer.Ordinal);
        long events = 0, ndjsonBytes;
        // Fastest: a day's 600 MB at 100M events compresses about tenfold at a few hundred MB/s a core.
        using (var packed = options.WithBaselines ? null : new GZipStream(ndjson, CompressionLevel.Fastest, leaveOpen: true))
        using (var ndjsonWriter = new NdjsonEventWriter(packed ?? (Stream)ndjson))
        using (var csvWriter = csv is null ? null : new PostgresCsvWriter(csv, options.Workspace, leaveOpen: true))
        {
            foreach (var e in generator.Day(day))
            {
                ndjsonWriter.Write(e);
                csvWriter?.Write(e);
                users.Add(e.User.Id);
                if (e.PromptId is { } prompt)
                {
                    prompts.Add(prompt);
                }

                events++;
            }

            ndjsonWriter.Dispose();
            ndjsonBytes = ndjsonWriter.Bytes;
        }

        return new RenderedDay(ndjson, ndjsonBytes, csv, events, users, prompts);
    }

    /// <summary>One day as it goes into the files: <see cref="Ndjson"/> compressed or not, <see cref="NdjsonBytes"/> before compression.</summary>
    private sealed record RenderedDay(MemoryStream Ndjson, long NdjsonBytes, MemoryStream? Csv, long Events, HashSet<string> Users, HashSet<string> Prompts);
}
