namespace Analytics.LoadTest.Results;

/// <summary>
/// One system answering one API's requests: latencies of the timed requests, failures, and the
/// answers' checksums (the first few requests), which must agree across systems.
/// </summary>
internal sealed record QueryFigure(string Api, string System, Latency Latency, int Failures, double Seconds, string[] Checksums, string? FirstError);
