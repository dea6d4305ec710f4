using System.Text.Json;
using System.Threading.Channels;
using Analytics.Api.Control;
using Analytics.Api.Infrastructure;
using Analytics.Api.Telemetry;
using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Dapper;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Analytics.Api.Ingestion;

/// <summary>
/// The one writer of events. Requests queue in memory (bounded by <see cref="IngestionOptions.BufferCapacity"/>
/// events); the writer gathers them into large batches, drops ids already committed, inserts with
/// retries, and only then records the ids as seen. Batches it cannot insert are spooled to disk
/// when their callers did not wait, and replayed in order once ClickHouse answers again.
/// </summary>
public sealed partial class EventWriter : BackgroundService
{
    private readonly Channel<IngestRequest> channel = Channel.CreateUnbounded<IngestRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim mutation = new(1, 1);
    private readonly ClickHouseConnectionFactory connections;
    private readonly ForgetJournal forgets;
    private readonly IngestionOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<EventWriter> logger;
    private readonly AnalyticsMetrics metrics;
    private readonly ResiliencePipeline retry;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<UInt128> batchSeen = [];
    private readonly List<UInt128> batchKeys = [];
    private readonly InsertJournal journal;
    private long buffered;
    private volatile bool stopping;
    private volatile string? dedupLoadProblem;

    public EventWriter(ClickHouseConnectionFactory connections, ForgetJournal forgets, IOptions<AnalyticsOptions> options, TimeProvider time, AnalyticsMetrics metrics, ILogger<EventWriter> logger)
    {
        this.connections = connections;
        this.forgets = forgets;
        this.options = options.Value.Ingestion;
        this.time = time;
        this.metrics = metrics;
        this.logger = logger;
        SettingsCheck.ThrowIfUnusable(this.options);
        // Never disposed by the writer: a drain that outlives the host's shutdown timeout still adds to it
        // after the host has disposed its services. Its native table is freed by a finalizer once the writer is gone.
        Dedup = new DedupIndex(this.options.DedupWindow, time);
        Spool = new EventSpool(this.options.SpoolPath);
        journal = new InsertJournal(this.options.SpoolPath);
        metrics.Observe(() => Buffered, this.options.BufferCapacity, () => Spool.Count, () => Spool.OldestAge(time.GetUtcNow().UtcDateTime).TotalSeconds, () => Dedup.Count, () => Dedup.MemoryBytes);
        retry = this.options.InsertAttempts <= 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = this.options.InsertAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                OnRetry = args =>
                {
                    LogInsertRetry(logger, args.AttemptNumber + 1, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public DedupIndex Dedup { get; }

    public EventSpool Spool { get; }

    /// <summary>
    /// Completes once the ids committed within the de-duplication window are loaded and batches are
    /// being written; until then admitted requests wait in the buffer.
    /// </summary>
    public Task Ready => ready.Task;

    /// <summary>Why the last attempt to load the de-duplication window failed, while it is not loaded yet.</summary>
    public string? DedupLoadProblem => ready.Task.IsCompleted ? null : dedupLoadProblem;

    /// <summary>False once the service is stopping: no request is admitted any more.</summary>
    public bool IsAccepting => !stopping;

    /// <summary>Events and quarantined lines admitted but not yet stored or spooled.</summary>
    public long Buffered => Interlocked.Read(ref buffered);

    /// <summary>Admits a request unless the buffer is full (or the service is stopping).</summary>
    public bool TryEnqueue(IngestRequest request)
    {
        var size = Size(request);
        if (Interlocked.Add(ref buffered, size) > options.BufferCapacity && size > 0)
        {
            Interlocked.Add(ref buffered, -size);
            return false;
        }

        if (!channel.Writer.TryWrite(request))
        {
            Interlocked.Add(ref buffered, -size);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="work"/> while no batch is being written, so that a mutation of stored data
    /// (forgetting) never interleaves with an insert.
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(Func<ClickHouseConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await mutation.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            return await work(connection);
        }
        finally
        {
            mutation.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Take no more requests, then let the loop drain what is buffered before the host stops.
        LogDraining(logger, Buffered);
        stopping = true;
        channel.Writer.TryComplete();
        if (ExecuteTask is not null)
        {
            await ExecuteTask.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Until the committed ids are known nothing is written (requests wait in the buffer), so that
        // ClickHouse being down at start-up delays ingestion instead of letting duplicates in. A block that an
        // earlier process was inserting when it died is sent again first, then a forget it left half done is
        // finished, while no insert can move the rollups under it (the two never overlap: forgets and inserts
        // take turns).
        while (true)
        {
            try
            {
                await ExclusiveAsync(connection => FinishInFlightAsync(connection, stoppingToken), stoppingToken);
                await ExclusiveAsync(connection => forgets.FinishUnfinishedAsync(connection, null, stoppingToken), stoppingToken);
                await LoadDedupAsync(stoppingToken);
                ready.TrySetResult();
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogDedupLoadFailed(logger, ex.Message);
                dedupLoadProblem = ex.Message;
                if (stopping)
                {
                    break; // what is buffered goes to the spool; replay de-duplicates against the ids loaded then
                }

                await Task.Delay(options.SpoolRetryInterval, time, CancellationToken.None);
            }
        }

        var reader = channel.Reader;
        while (true)
        {
            if (!Spool.IsEmpty)
            {
                await ReplaySpoolAsync();
            }

            bool more;
            using (var wait = new CancellationTokenSource(Spool.IsEmpty ? Timeout.InfiniteTimeSpan : options.SpoolRetryInterval))
            {
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    continue; // time to retry the spool
                }
            }

            if (!more)
            {
                break;
            }

            var requests = await GatherAsync(reader);
            await WriteAsync(requests);
        }

        LogStopped(logger, Spool.Count);
    }

    private async Task<List<IngestRequest>> GatherAsync(ChannelReader<IngestRequest> reader)
    {
        var requests = new List<IngestRequest>();
        var events = 0;
        var deadline = time.GetUtcNow() + options.FlushInterval;
        while (events < options.MaxBatchEvents)
        {
            if (reader.TryRead(out var request))
            {
                requests.Add(request);
                events += request.Events.Count;
                continue;
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            using var wait = new CancellationTokenSource(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return requests;
    }

    private async Task WriteAsync(List<IngestRequest> requests)
    {
        await mutation.WaitAsync();
        try
        {
            // Kept from batch to batch (one batch is written at a time): at 50,000 events each would be a
            // megabyte or two of garbage on the large-object heap a batch.
            var (seen, keys) = (batchSeen, batchKeys);
            seen.Clear();
            keys.Clear();
            // What each request adds to the insert: its events less those already committed or earlier in the batch.
            var accepted = new EventRows[requests.Count];
            var counts = new (int Accepted, int Duplicates)[requests.Count];
            var committed = new bool[requests.Max(r => r.Keys.Length)];
            for (var i = 0; i < requests.Count; i++)
            {
                var requestKeys = requests[i].Keys;
                Dedup.Find(requestKeys, committed);
                // Asked about each event in turn, here and now: the loop's i is the request's.
                accepted[i] = requests[i].Events.Where(j =>
                {
                    if (committed[j] || !seen.Add(requestKeys[j]))
                    {
                        counts[i].Duplicates++;
                        return false;
                    }

                    counts[i].Accepted++;
                    keys.Add(requestKeys[j]);
                    return true;
                });
            }

            var quarantined = requests.SelectMany(r => r.Quarantined).ToList();
            Exception? failure = null;
            if (!Spool.IsEmpty)
            {
                // Spooled batches go first, so that replay keeps arrival order; while they cannot be replayed, neither can this.
                failure = new StoreUnavailableException("ClickHouse is unavailable; earlier batches are still waiting in the spool.", null);
            }
            else
            {
                try
                {
                    await InsertAsync(accepted, quarantined, NewToken(), retry);
                    Dedup.Add(keys, time.GetUtcNow().UtcDateTime);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            }

            if (failure is null)
            {
                // Counted before the callers hear back, so that the stats include every answer already given.
                await RecordCountsAsync(requests.Select((r, i) => (r.WorkspaceId, counts[i].Accepted, counts[i].Duplicates + r.Repeated, r.Quarantined.Count)));
                for (var i = 0; i < requests.Count; i++)
                {
                    metrics.Accepted(requests[i].WorkspaceId, counts[i].Accepted);
                    metrics.Duplicates(requests[i].WorkspaceId, counts[i].Duplicates + requests[i].Repeated);
                    metrics.Quarantined(requests[i].WorkspaceId, requests[i].Quarantined.Count);
                    requests[i].Complete(new IngestOutcome(counts[i].Accepted, counts[i].Duplicates));
                }

                LogWrote(logger, keys.Count, quarantined.Count, requests.Count);
                return;
            }

            await SpoolOrFailAsync(requests, counts, accepted, keys.Count, failure);
        }
        finally
        {
            Interlocked.Add(ref buffered, -requests.Sum(Size));
            foreach (var request in requests)
            {
                request.Dispose();
            }

            mutation.Release();
        }
    }

    private async Task SpoolOrFailAsync(List<IngestRequest> requests, (int Accepted, int Duplicates)[] counts, EventRows[] accepted, int events, Exception failure)
    {
        LogInsertFailed(logger, events, failure.Message);
        var spooled = new EventSpool.Batch([], []);
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (request.WaitForCommit)
            {
                request.Fail(new StoreUnavailableException("ClickHouse did not accept the events; nothing from this request was stored. Retry later.", failure));
                continue;
            }

            spooled.Events.AddRange(accepted[i].Records());
            spooled.Quarantined.AddRange(request.Quarantined);
        }

        if (spooled.Events.Count + spooled.Quarantined.Count > 0)
        {
            await Spool.WriteAsync(spooled, CancellationToken.None);
            LogSpooled(logger, spooled.Events.Count, Spool.Count);
        }

        for (var i = 0; i < requests.Count; i++)
        {
            if (!requests[i].WaitForCommit)
            {
                // The duplicates were dropped here; the events and lines wait in the spool and count when replayed.
                metrics.Spooled(requests[i].WorkspaceId, counts[i].Accepted);
                metrics.Duplicates(requests[i].WorkspaceId, counts[i].Duplicates + requests[i].Repeated);
                requests[i].Complete(new IngestOutcome(counts[i].Accepted, counts[i].Duplicates, Spooled: true));
            }
        }
    }

    private static readonly JsonSerializerOptions SpooledJson = new(JsonSerializerDefaults.Web);

    private async Task ReplaySpoolAsync()
    {
        await mutation.WaitAsync();
        try
        {
            while (await Spool.PeekAsync(CancellationToken.None) is var (file, batch))
            {
                // An event may have been committed since it was spooled (sent again with wait=true); it counts once.
                var keys = new List<UInt128>();
                var events = new List<EventRecord>();
                var quarantined = new List<QuarantinedLine>(batch.Quarantined);
                foreach (var e in batch.Events)
                {
                    if (e.Timestamp < EventParser.EarliestTimestamp || e.Timestamp > EventParser.LatestTimestamp)
                    {
                        // Spooled by a version that did not check the range: quarantined now, as the parser would have.
                        quarantined.Add(new QuarantinedLine(e.WorkspaceId, time.GetUtcNow().UtcDateTime, 0, JsonSerializer.Serialize(e, SpooledJson), EventParser.TimestampOutOfRange));
                        continue;
                    }

                    var key = DedupIndex.Key(e.WorkspaceId, e.EventId);
                    if (!Dedup.Contains(key))
                    {
                        keys.Add(key);
                        events.Add(e);
                    }
                }

                // A spooled batch may hold several workspaces' events; each becomes a batch of its own.
                var parts = events.GroupBy(e => e.WorkspaceId, StringComparer.Ordinal)
                    .Select(workspace => new EventRows(EventBatch.From(workspace.Key, workspace), null))
                    .ToList();
                try
                {
                    // Named after the file, so that every attempt at this batch is the same insert to the engine.
                    await InsertAsync(parts, quarantined, "spool-" + Path.GetFileNameWithoutExtension(file), ResiliencePipeline.Empty);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogReplayFailed(logger, Spool.Count, ex.Message);
                    return;
                }
                finally
                {
                    parts.ForEach(part => part.Batch.Dispose());
                }

                Dedup.Add(keys, time.GetUtcNow().UtcDateTime);
                Spool.Remove(file);
                LogReplayed(logger, events.Count, Spool.Count);
                CountReplay(batch, events, quarantined);
                await RecordCountsAsync(batch.Events.Select(e => (e.WorkspaceId, 0, 1, 0))
                    .Concat(events.Select(e => (e.WorkspaceId, 1, -1, 0)))
                    .Concat(batch.Quarantined.Select(q => (q.WorkspaceId, 0, 0, 1))));
            }
        }
        finally
        {
            mutation.Release();
        }
    }

    /// <summary>A replayed batch in the metrics: its events stored, those found stored already, its lines quarantined (out-of-range events among them).</summary>
    private void CountReplay(EventSpool.Batch batch, List<EventRecord> stored, List<QuarantinedLine> quarantined)
    {
        var inserted = stored.ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var group in batch.Events.GroupBy(e => e.WorkspaceId, StringComparer.Ordinal))
        {
            metrics.Replayed(group.Key, group.Count(inserted.Contains));
            metrics.Duplicates(group.Key, group.Count(e => !inserted.Contains(e) && e.Timestamp >= EventParser.EarliestTimestamp && e.Timestamp <= EventParser.LatestTimestamp));
        }

        foreach (var group in quarantined.GroupBy(q => q.WorkspaceId, StringComparer.Ordinal))
        {
            metrics.Quarantined(group.Key, group.Count());
        }
    }

    /// <summary>
    /// Inserts one batch as one block under <paramref name="token"/>, through <paramref name="pipeline"/>'s
    /// attempts: the block is built once and kept in the journal meanwhile, so that every attempt, and a replay
    /// after a crash, sends the same block under the same token and the engine takes it once in every table.
    /// </summary>
    private async Task InsertAsync(IReadOnlyList<EventRows> events, IReadOnlyList<QuarantinedLine> quarantined, string token, ResiliencePipeline pipeline)
    {
        var start = AnalyticsMetrics.Start();
        var count = events.Sum(part => part.Count);
        using var block = EventTable.Block(events, time.GetUtcNow().UtcDateTime);
        var bytes = block?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;
        try
        {
            if (block is not null)
            {
                await KeepInFlightAsync(token, bytes);
            }

            await pipeline.ExecuteAsync(
                async ct =>
                {
                    await using var connection = await connections.OpenAsync(ct);
                    await EventTable.InsertAsync(connection, bytes, token, quarantined, ct);
                },
                CancellationToken.None);
        }
        catch
        {
            metrics.Inserted(AnalyticsMetrics.Since(start), count, committed: false);
            throw;
        }
        finally
        {
            // Taken, or given up and handed to the spool (or to callers that wait): either way no longer in flight.
            journal.Clear();
        }

        metrics.Inserted(AnalyticsMetrics.Since(start), count, committed: true);
    }

    /// <summary>
    /// Writes the block to the journal. A disk that cannot take it (full, read-only) does not stop ingestion: the
    /// insert goes ahead, and only a crash during this very insert could leave the rollups short of it.
    /// </summary>
    private async Task KeepInFlightAsync(string token, ReadOnlyMemory<byte> block)
    {
        try
        {
            await journal.WriteAsync(token, block, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogInFlightNotKept(logger, block.Length, ex.Message);
        }
    }

    /// <summary>
    /// Errors that say the block's data does not fit the table (columns or types unknown, bytes cut short or
    /// unreadable), as against the engine being busy or short of memory, which a later attempt may get past.
    /// </summary>
    private static bool RefusesTheData(ClickHouseServerException ex) =>
        ex.ErrorCode is 8 or 10 or 16 or 27 or 32 or 33 or 50 or 53 or 70 or 117;

    /// <summary>A token no other insert has had: a batch's identity to the engine's de-duplication.</summary>
    private static string NewToken() => "batch-" + Guid.NewGuid().ToString("N");

    /// <summary>Sends again, under its own token, the block an earlier process was inserting when it died.</summary>
    private async Task<bool> FinishInFlightAsync(ClickHouseConnection connection, CancellationToken cancellationToken)
    {
        if (journal.Read() is not var (token, block))
        {
            journal.Clear(); // none, or one cut short before its insert began
            return false;
        }

        try
        {
            await EventTable.InsertAsync(connection, block, token, [], cancellationToken);
        }
        catch (ClickHouseServerException ex) when (RefusesTheData(ex))
        {
            // The engine answered and refused the block itself (it is damaged, or no longer fits the table): trying
            // it at every start would stop ingestion for good, so it is set aside for someone to look at.
            LogInFlightRefused(logger, journal.SetAside(time.GetUtcNow().UtcDateTime), ex.Message);
            return false;
        }

        journal.Clear();
        LogInFlightFinished(logger, EventBatch.BlockRows(block.Span), token);
        return true;
    }

    /// <summary>
    /// Adds what a committed batch stored to <c>ingest_counts</c>. The events are stored whatever happens
    /// here, so a failure is logged, not retried: the counts are for watching ingestion, not for billing.
    /// </summary>
    private async Task RecordCountsAsync(IEnumerable<(string Workspace, int Accepted, int Duplicates, int Quarantined)> counts)
    {
        var rows = IngestCounts.Rows(counts, time.GetUtcNow().UtcDateTime);
        if (rows.Count == 0)
        {
            return;
        }

        try
        {
            await using var connection = await connections.OpenAsync(CancellationToken.None);
            await connection.CreateBulkWriter("ingest_counts", IngestCounts.Columns).WriteAsync(rows, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCountsFailed(logger, rows.Count, ex.Message);
        }
    }

    private async Task LoadDedupAsync(CancellationToken cancellationToken)
    {
        // The engine hashes the ids, so that a window of tens of millions of ids crosses over as 24 bytes
        // a row and never becomes strings here.
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            SqlFiles.Query("dedup_recent"),
            QueryParameters.From(new { seconds = (ulong)options.DedupWindow.TotalSeconds }),
            cancellationToken: cancellationToken));
        var loaded = 0;
        var batch = new List<(UInt128 Key, long Hour)>(capacity: 65_536);
        while (await reader.ReadAsync(cancellationToken))
        {
            batch.Add((reader.GetFieldValue<UInt128>(0), DedupIndex.HourOf(reader.GetDateTime(1))));
            if (batch.Count == batch.Capacity)
            {
                Dedup.Add(batch);
                loaded += batch.Count;
                batch.Clear();
                if (loaded % (1 << 20) == 0)
                {
                    LogDedupLoading(logger, loaded);
                }
            }
        }

        Dedup.Add(batch);
        LogDedupLoaded(logger, loaded + batch.Count);
    }

    private static long Size(IngestRequest request) => request.Count + request.Quarantined.Count;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Events} events and {Quarantined} quarantined lines from {Requests} requests")]
    private static partial void LogWrote(ILogger logger, int events, int quarantined, int requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Insert attempt {Attempt} failed, retrying: {Reason}")]
    private static partial void LogInsertRetry(ILogger logger, int attempt, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not insert {Events} events after every retry: {Reason}")]
    private static partial void LogInsertFailed(ILogger logger, int events, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Rows} rows of ingestion counts; the events are stored: {Reason}")]
    private static partial void LogCountsFailed(ILogger logger, int rows, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spooled {Events} events to disk; {Files} batches wait for ClickHouse")]
    private static partial void LogSpooled(ILogger logger, int events, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spool replay failed, {Files} batches still waiting: {Reason}")]
    private static partial void LogReplayFailed(ILogger logger, int files, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Events} spooled events; {Files} batches left")]
    private static partial void LogReplayed(ILogger logger, int events, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sent again the block of {Events} events that was being inserted when the service last stopped ({Token}); every table now holds it once")]
    private static partial void LogInFlightFinished(ILogger logger, ulong events, string token);

    [LoggerMessage(Level = LogLevel.Error, Message = "ClickHouse refused the block that was being inserted when the service last stopped; it is set aside as {File}, and its events may be missing from some tables: {Reason}")]
    private static partial void LogInFlightRefused(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep the block of {Bytes} bytes on disk while it is inserted; the insert goes ahead, and a crash during it could leave rollups short of it: {Reason}")]
    private static partial void LogInFlightNotKept(ILogger logger, int bytes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load recent event ids yet, ingestion waits: {Reason}")]
    private static partial void LogDedupLoadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading recent event ids for de-duplication: {Count} so far")]
    private static partial void LogDedupLoading(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} recent event ids for de-duplication")]
    private static partial void LogDedupLoaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: draining {Buffered} buffered events")]
    private static partial void LogDraining(ILogger logger, long buffered);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event writer stopped; {Files} batches left in the spool")]
    private static partial void LogStopped(ILogger logger, int files);
}
