using System.Collections.Concurrent;

namespace Analytics.ClickHouse.Transport;

/// <summary>
/// The stops (KILL QUERY by query id) still under way after a cancelled call has returned. A new statement
/// under a query id being stopped waits for its stop first: a KILL that met it instead could make the engine
/// answer it with no rows and no error, or fail it for nothing.
/// </summary>
internal sealed class PendingStops
{
    private readonly ConcurrentDictionary<string, Task> stops = new(StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="stop"/> for <paramref name="queryId"/> until it ends, and returns it.</summary>
    public Task Track(string queryId, Task stop)
    {
        stops[queryId] = stop;
        _ = stop.ContinueWith(_ => stops.TryRemove(KeyValuePair.Create(queryId, stop)), TaskScheduler.Default);
        return stop;
    }

    /// <summary>Waits for the stop under way for <paramref name="queryId"/>, if there is one.</summary>
    public ValueTask WaitAsync(string queryId) =>
        stops.TryGetValue(queryId, out var stop) ? new ValueTask(stop) : ValueTask.CompletedTask;
}
