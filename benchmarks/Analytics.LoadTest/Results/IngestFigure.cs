namespace Analytics.LoadTest.Results;

/// <summary>How one system took in the events: how many, how fast, at what request latency and memory.</summary>
internal sealed record IngestFigure(
    string System,
    string Method,
    long Events,
    long Bytes,
    double Seconds,
    Latency? RequestLatency = null,
    long Requests = 0,
    long Retries = 0,
    long Accepted = 0,
    long Duplicates = 0,
    long Quarantined = 0,
    long? PeakRssBytes = null,
    double? IngesterCpuSeconds = null,
    double? ClientCpuSeconds = null)
{
    /// <summary>Events per CPU-second of the process that took them in (the service, or the engine's process).</summary>
    public double? EventsPerCpuSecond => IngesterCpuSeconds is > 0 and var cpu ? Events / cpu : null;

    public double EventsPerSecond => Events / Seconds;

    public double MegabytesPerSecond => Bytes / 1e6 / Seconds;
}
