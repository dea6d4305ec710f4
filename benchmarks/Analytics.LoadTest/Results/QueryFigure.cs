namespace Analytics.LoadTest.Results;

/// <summary>
/// One system answering one API's requests: latencies of the timed requests (<see cref="Milliseconds"/>
/// in request order, NaN for a failed one, so that systems can be compared request by request), failures,
/// the answers' checksums (the first few requests), which must agree across systems, and for the API
/// the sizes of its answers in bytes.
/// </summary>
/// <remarks>Properties added later are init-only and nullable, so that the results of older runs still load.</remarks>
internal sealed record QueryFigure(
    string Api, string System, Latency Latency, int Failures, double Seconds, string[] Checksums, string? FirstError, double[] Milliseconds)
{
    public Latency? AnswerBytes { get; init; }

    /// <summary>
    /// For systems that write the answer's bytes themselves (the API B and the engine running the service's
    /// statement): a digest of every timed request's answer, in request order, "failed" for a failed one.
    /// </summary>
    public string[]? Digests { get; init; }
}
