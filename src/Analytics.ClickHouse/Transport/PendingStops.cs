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

    /// <summary>
    /// Waits for the stop under way for <paramref name="queryId"/>, if there is one. A stop that failed is
    /// over all the same; its failure belongs to it, not to the statement waiting.
    /// </summary>
    public ValueTask WaitAsync(string queryId) =>
        stops.TryGetValue(queryId, out var stop) ? Over(stop) : ValueTask.CompletedTask;

    /// <summary>Waits for <paramref name="stop"/> to end, however it ends.</summary>
    public static async ValueTask Over(Task stop) => await stop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
