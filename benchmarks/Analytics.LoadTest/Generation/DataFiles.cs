namespace Analytics.LoadTest.Generation;

/// <summary>The files of a run's folder.</summary>
internal static class DataFiles
{
    public const string Ndjson = "events.ndjson";
    public const string NdjsonGzip = "events.ndjson.gz";
    public const string PostgresCsv = "events.pg.csv";
    public const string PostgresCaps = "caps.pg.csv";

    /// <summary>The run's events: plain NDJSON beside the baselines, gzip-compressed NDJSON without them.</summary>
    public static string Events(LoadTestOptions options) => options.Path(options.WithBaselines ? Ndjson : NdjsonGzip);

    public static string Results(string phase) => $"results.{phase}.json";
}
