namespace Analytics.LoadTest.Generation;

/// <summary>The files of a run's folder.</summary>
internal static class DataFiles
{
    public const string Ndjson = "events.ndjson";
    public const string PostgresCsv = "events.pg.csv";
    public const string PostgresCaps = "caps.pg.csv";

    public static string Results(string phase) => $"results.{phase}.json";
}
