namespace Analytics.Api.Ingestion;

/// <summary>What one POST /v1/events asked to store, and how it turned out.</summary>
public sealed class IngestRequest(string workspaceId, IReadOnlyList<EventRecord> events, IReadOnlyList<QuarantinedLine> quarantined, bool waitForCommit)
{
    private readonly TaskCompletionSource<IngestOutcome> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string WorkspaceId { get; } = workspaceId;

    public IReadOnlyList<EventRecord> Events { get; } = events;

    /// <summary>The dedup key of each event, in <see cref="Events"/> order, computed on the request's own thread.</summary>
    public UInt128[] Keys { get; } = [.. events.Select(e => DedupIndex.Key(e.WorkspaceId, e.EventId))];

    public IReadOnlyList<QuarantinedLine> Quarantined { get; } = quarantined;

    /// <summary>True when the caller waits for the commit (<c>wait=true</c>); such requests are never spooled.</summary>
    public bool WaitForCommit { get; } = waitForCommit;

    public Task<IngestOutcome> Outcome => completion.Task;

    public void Complete(IngestOutcome outcome) => completion.TrySetResult(outcome);

    public void Fail(Exception error) => completion.TrySetException(error);
}

/// <summary>How many of a request's events were stored and how many were already known.</summary>
public sealed record IngestOutcome(int Accepted, int Duplicates, bool Spooled = false);

/// <summary>ClickHouse stayed unavailable for a request that waited for its commit.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner) : Exception(message, inner);
