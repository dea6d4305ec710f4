namespace Analytics.ClickHouse.Loopback;

/// <summary>How the server misbehaves for one request, instead of or while answering it.</summary>
public abstract record LoopbackFault
{
    /// <summary>Answers with <paramref name="Status"/> and a ClickHouse error text, before running anything.</summary>
    /// <param name="Status">The HTTP status, e.g. 503.</param>
    /// <param name="Code">Sent as <c>X-ClickHouse-Exception-Code</c> when set; the text names it too.</param>
    public sealed record Fail(int Status, int? Code = null, string Message = "Injected failure") : LoopbackFault;

    /// <summary>Drops the connection without an answer, before running anything.</summary>
    public sealed record Reset : LoopbackFault;

    /// <summary>Waits <paramref name="Delay"/> before running the statement (a slow server).</summary>
    public sealed record Slow(TimeSpan Delay) : LoopbackFault;

    /// <summary>
    /// Runs the statement, sends the first <paramref name="AfterBytes"/> bytes of its output, then fails it
    /// as a server does after its 200 status line: the exception at the end of the body.
    /// </summary>
    public sealed record FailMidStream(int AfterBytes, int Code = 1000, string Message = "Injected failure part way") : LoopbackFault;

    /// <summary>Runs the statement, then drops the connection instead of answering (the outcome is unknown to the caller).</summary>
    /// <param name="Then">
    /// Called once the statement has run, before the connection drops: a test that kills the client there has it die
    /// between two statements, this one committed and unanswered.
    /// </param>
    public sealed record ResetAfterRunning(Action? Then = null) : LoopbackFault;
}

/// <summary>One request as the server received it, for tests of what a client sends.</summary>
/// <param name="Method">GET or POST.</param>
/// <param name="Path">The request path.</param>
/// <param name="Url">The URL parameters, decoded.</param>
/// <param name="Headers">The request headers.</param>
/// <param name="Sql">The statement, without an INSERT's data.</param>
/// <param name="DataBytes">The bytes of an INSERT's data, decompressed.</param>
public sealed record LoopbackRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Url,
    IReadOnlyDictionary<string, string> Headers,
    string Sql,
    long DataBytes);
