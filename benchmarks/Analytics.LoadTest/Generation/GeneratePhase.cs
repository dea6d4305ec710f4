using System.Diagnostics;
using System.Globalization;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Generation;

/// <summary>
/// Writes the run's events once, before anything is timed: as NDJSON (what the service and the
/// engine baseline take in) and as CSV for PostgreSQL's COPY; the same events in the same order.
/// Days are rendered in parallel (each with its own seeded random source) and written in order.
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
        using (var ndjsonFile = File.Create(options.Path(DataFiles.Ndjson)))
        using (var csvFile = File.Create(options.Path(DataFiles.PostgresCsv)))
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
                    pending.Enqueue(Task.Run(() => Render(generator, day, options.Workspace)));
                }

                var rendered = pending.Dequeue().GetAwaiter().GetResult();
                rendered.Ndjson.WriteTo(ndjsonFile);
                rendered.Csv.WriteTo(csvFile);
                count += rendered.Events;
                ndjsonBytes += rendered.Ndjson.Length;
                users.UnionWith(rendered.Users);
                prompts.UnionWith(rendered.Prompts);
                if (count - lastReport >= 1_000_000)
                {
                    lastReport = count;
                    Console.WriteLine($"  generated {count:N0} events ({clock.Elapsed.TotalSeconds:F0} s)");
                }
            }
        }

        File.WriteAllLines(
            options.Path(DataFiles.PostgresCaps),
            model.Caps().Select(c => string.Create(CultureInfo.InvariantCulture, $"{options.Workspace},{c.UserId},{c.Cap}")));

        Console.WriteLine(
            $"Generated {count:N0} events ({ndjsonBytes / 1e6:N0} MB of NDJSON, {ndjsonBytes / (double)count:F0} bytes/event) " +
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

    private static RenderedDay Render(EventGenerator generator, int day, string workspace)
    {
        var ndjson = new MemoryStream();
        var csv = new MemoryStream();
        var users = new HashSet<string>(StringComparer.Ordinal);
        var prompts = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;
        using (var ndjsonWriter = new NdjsonEventWriter(ndjson))
        using (var csvWriter = new PostgresCsvWriter(csv, workspace, leaveOpen: true))
        {
            foreach (var e in generator.Day(day))
            {
                ndjsonWriter.Write(e);
                csvWriter.Write(e);
                users.Add(e.User.Id);
                if (e.PromptId is { } prompt)
                {
                    prompts.Add(prompt);
                }

                events++;
            }
        }

        return new RenderedDay(ndjson, csv, events, users, prompts);
    }

    private sealed record RenderedDay(MemoryStream Ndjson, MemoryStream Csv, long Events, HashSet<string> Users, HashSet<string> Prompts);
}
