namespace Analytics.Api.Ingestion;

/// <summary>What one POST /v1/events asked to store, and how it turned out.</summary>
public sealed class IngestRequest
{
    private readonly TaskCompletionSource<IngestOutcome> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A request of <paramref name="events"/>, each with its dedup key, computed here on the request's own
    /// thread; an id repeated inside the request is kept once and the repeats counted in <see cref="Repeated"/>.
    /// </summary>
    public IngestRequest(string workspaceId, IReadOnlyCollection<EventRecord> events, IReadOnlyList<QuarantinedLine> quarantined, bool waitForCommit)
    {
        var kept = new List<EventRecord>(events.Count);
        var keys = new List<UInt128>(events.Count);
        var seen = new HashSet<UInt128>(events.Count);
        foreach (var e in events)
        {
            var key = DedupIndex.Key(e.WorkspaceId, e.EventId);
            if (seen.Add(key))
            {
                kept.Add(e);
                keys.Add(key);
            }
        }

        WorkspaceId = workspaceId;
        Events = kept;
        Keys = [.. keys];
        Repeated = events.Count - kept.Count;
        Quarantined = quarantined;
        WaitForCommit = waitForCommit;
    }

    public string WorkspaceId { get; }

    /// <summary>The request's events, each id once, in the order they came.</summary>
    public IReadOnlyList<EventRecord> Events { get; }

    /// <summary>The dedup key of each event, in <see cref="Events"/> order.</summary>
    public UInt128[] Keys { get; }

    /// <summary>Events dropped because their id came earlier in the same request.</summary>
    public int Repeated { get; }

    public IReadOnlyList<QuarantinedLine> Quarantined { get; }

    /// <summary>True when the caller waits for the commit (<c>wait=true</c>); such requests are never spooled.</summary>
    public bool WaitForCommit { get; }

    public Task<IngestOutcome> Outcome => completion.Task;

    public void Complete(IngestOutcome outcome) => completion.TrySetResult(outcome);

    public void Fail(Exception error) => completion.TrySetException(error);
}

/// <summary>How many of a request's events were stored and how many were already known.</summary>
public sealed record IngestOutcome(int Accepted, int Duplicates, bool Spooled = false);

/// <summary>ClickHouse stayed unavailable for a request that waited for its commit.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner) : Exception(message, inner);
