namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>Runs statements on the in-process chDB engine.</summary>
internal sealed class EmbeddedTransport(ChDbEngine engine) : IClickHouseTransport
{
    // How long a cancelled statement is chased with KILL QUERY: 100 attempts 100 ms apart.
    private const int StopAttempts = 100;

    private static readonly TimeSpan StopInterval = TimeSpan.FromMilliseconds(100);

    private readonly PendingStops stops = new();

    public ChDbEngine Engine { get; } = engine;

    public async Task<ResultBuffer> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        await stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        var session = await Engine.RentAsync(cancellationToken).ConfigureAwait(false);

        // The engine call blocks its thread for the statement's duration; keep it off the caller's.
        var work = Task.Run(() => session.Execute(request), CancellationToken.None);
        try
        {
            var result = await work.WaitAsync(cancellationToken).ConfigureAwait(false);
            Engine.Return(session);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !work.IsCompleted)
        {
            // The session stays rented until the engine has stopped the statement.
            _ = StopAsync(request.QueryId, work);
            _ = work.ContinueWith(
                finished =>
                {
                    if (finished.IsCompletedSuccessfully)
                    {
                        finished.Result.Dispose();
                    }

                    Engine.Return(session);
                },
                TaskScheduler.Default);
            throw;
        }
        catch
        {
            Engine.Return(session);
            throw;
        }
    }

    public ResultBuffer Query(QueryRequest request)
    {
        stops.WaitAsync(request.QueryId).AsTask().GetAwaiter().GetResult();

        // The engine call is synchronous by nature: no thread hop needed.
        var session = Engine.Rent();
        try
        {
            return session.Execute(request);
        }
        finally
        {
            Engine.Return(session);
        }
    }

    public async Task<ResultStream> QueryStreamAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        if (!ChDbResultStream.Streams(request.Format))
        {
            return new WholeResultStream(await QueryAsync(request, cancellationToken).ConfigureAwait(false));
        }

        await stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        return new ChDbResultStream(this, await Engine.RentForStreamAsync(cancellationToken).ConfigureAwait(false), request);
    }

    public async Task<ulong> InsertAsync(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        await stops.WaitAsync(request.QueryId).ConfigureAwait(false);
        var session = await Engine.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => session.Insert(request, format, chunks, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Engine.Return(session);
        }
    }

    /// <summary>
    /// Stops the statement <paramref name="queryId"/>, run by <paramref name="work"/>, from another session.
    /// A statement that had not reached the engine when the first KILL came (its thread was slow to start)
    /// is caught by a later one, so this goes on until the work ends; each KILL passes over a statement
    /// already cancelled. Meanwhile a new statement under the same query id waits (<see cref="PendingStops"/>).
    /// </summary>
    internal Task StopAsync(string queryId, Task work) => stops.Track(queryId, KillUntilDoneAsync(queryId, work));

    private async Task KillUntilDoneAsync(string queryId, Task work)
    {
        for (var attempt = 0; attempt < StopAttempts && !work.IsCompleted; attempt++)
        {
            await KillAsync(queryId).ConfigureAwait(false);
            await Task.WhenAny(work, Task.Delay(StopInterval)).ConfigureAwait(false);
        }
    }

    private async Task KillAsync(string queryId)
    {
        // The engine gives each statement a query_id of its own; ours rides on the log_comment setting. A
        // statement already cancelled is passed over: it is stopping, and later rounds only look for one that
        // had not started yet.
        var kill = new QueryRequest(
            "KILL QUERY WHERE Settings['log_comment'] = {id:String} AND NOT is_cancelled ASYNC",
            "system",
            Guid.NewGuid().ToString(),
            "Null",
            [new("id", queryId)],
            new Dictionary<string, string>(),
            TimeSpan.FromSeconds(10));
        try
        {
            using var _ = await QueryAsync(kill, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ClickHouseServerException)
        {
            // The statement may have finished on its own meanwhile.
        }
        catch (ObjectDisposedException)
        {
            // The engine is closing, and every statement with it.
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
