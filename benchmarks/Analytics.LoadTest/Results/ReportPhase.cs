using System.Globalization;
using Analytics.LoadTest.Generation;

namespace Analytics.LoadTest.Results;

/// <summary>Gathers every phase's results, prints the Markdown report and keeps this size's figures for later comparisons.</summary>
internal static class ReportPhase
{
    public static string Run(LoadTestOptions options)
    {
        var results = PhaseResults.Merge(new[] { "generate", "http", "http-server", "engine", "postgres" }.Select(p => PhaseResults.Load(options.Path(DataFiles.Results(p)))));
        var service = options.Path("service");
        if (Directory.Exists(service))
        {
            // The engine's data/ folder holds links to the tables' folders under store/: counted once, there.
            var files = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
            results.Facts["service.data_bytes"] = new DirectoryInfo(service).EnumerateFiles("*", files)
                .Sum(f => f.Length).ToString(CultureInfo.InvariantCulture);
        }

        var sizes = new List<SavedRun>();
        if (options.ResultsDir is { } folder)
        {
            new SavedRun(options.Events, options.Command, DateTime.UtcNow, MarkdownReport.Figures(results)).Save(folder);
            sizes = SavedRun.LoadAll(folder);
        }

        var markdown = MarkdownReport.Write(options, results, sizes);
        File.WriteAllText(options.Path("report.md"), markdown);
        return markdown;
    }
}
