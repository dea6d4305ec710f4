namespace Analytics.Api.Ingestion;

/// <summary>What one POST /v1/events asked to store, and how it turned out.</summary>
/// <remarks>
/// The request owns its events' buffers. Whoever holds it last disposes it: the writer once the events are
/// stored or spooled, or the endpoint when the writer did not take it.
/// </remarks>
public sealed class IngestRequest : IDisposable
{
    private readonly TaskCompletionSource<IngestOutcome> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A request of <paramref name="events"/>; an id repeated inside the request is kept once, at its first
    /// place, and the repeats counted in <see cref="Repeated"/>.
    /// </summary>
    public IngestRequest(string workspaceId, EventBatch events, IReadOnlyList<QuarantinedLine> quarantined, bool waitForCommit)
    {
        var all = events.Keys;
        var seen = new HashSet<UInt128>(all.Count);
        WorkspaceId = workspaceId;
        Events = new EventRows(events, null).Where(row => seen.Add(all[row]));
        Keys = Events.Rows is { } kept ? [.. kept.Select(row => all[row])] : [.. all];
        Repeated = all.Count - Count;
        Quarantined = quarantined;
        WaitForCommit = waitForCommit;
    }

    public string WorkspaceId { get; }

    /// <summary>The request's events, each id once, in the order they came.</summary>
    internal EventRows Events { get; }

    /// <summary>How many events <see cref="Events"/> holds; still known once the request is disposed.</summary>
    public int Count => Events.Count;

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

    /// <summary>Returns the events' buffers; the outcome stays readable.</summary>
    public void Dispose() => Events.Batch.Dispose();
}

/// <summary>How many of a request's events were stored and how many were already known.</summary>
public sealed record IngestOutcome(int Accepted, int Duplicates, bool Spooled = false);

/// <summary>ClickHouse stayed unavailable for a request that waited for its commit.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner) : Exception(message, inner);
