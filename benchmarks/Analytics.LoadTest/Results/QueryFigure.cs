namespace Analytics.LoadTest.Results;

/// <summary>
/// One system answering one API's requests: latencies of the timed requests (<see cref="Milliseconds"/>
/// in request order, NaN for a failed one, so that systems can be compared request by request), failures,
/// the answers' checksums (the first few requests), which must agree across systems, and for the API
/// the sizes of its answers in bytes.
/// </summary>
internal sealed record QueryFigure(
    string Api, string System, Latency Latency, int Failures, double Seconds, string[] Checksums, string? FirstError, double[] Milliseconds)
{
    public Latency? AnswerBytes { get; init; }
}
