using System.Collections.Frozen;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>
/// A statement's output fetched from the embedded engine one block at a time, so that only the block being
/// handed over is held in memory. The stream holds its session until it is disposed.
/// </summary>
/// <remarks>
/// The engine writes each streamed block as a whole document of the format. For formats without a header
/// or a footer the blocks therefore add up to exactly what a whole run writes. JSONEachRow written as one
/// array (<c>output_format_json_array_of_rows</c>) comes as one array a block, and is joined back into
/// one array here. RowBinaryWithNames and RowBinaryWithNamesAndTypes repeat their header in every block;
/// only the first block keeps it. Other formats (CSVWithNames, JSON, Parquet, ...) are not streamed: see
/// <see cref="Streams"/>.
/// </remarks>
internal sealed class ChDbResultStream : ResultStream
{
    private const int BadArguments = 36;

    private static readonly FrozenSet<string> JsonRowFormats =
        new[] { "JSONEachRow", "JSONLines", "NDJSON", "JSONStringsEachRow" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // Whether each block's RowBinary header also lists the columns' types.
    private static readonly FrozenDictionary<string, bool> RowBinaryHeaderFormats =
        new Dictionary<string, bool> { ["RowBinaryWithNames"] = false, ["RowBinaryWithNamesAndTypes"] = true }
            .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> StreamedFormats =
        new[] { "Native", "RowBinary", "TabSeparated", "TSV", "CSV", "JSONCompactEachRow" }
            .Concat(JsonRowFormats)
            .Concat(RowBinaryHeaderFormats.Keys)
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // How the engine frames a block written as a JSON array, and how a whole array's rows are separated.
    private static readonly ReadOnlyMemory<byte> ArrayOpening = "[\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> ArrayClosing = "\n]\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> RowSeparator = ",\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> EmptyArray = "[\n\n]\n"u8.ToArray();

    private readonly EmbeddedTransport transport;
    private readonly ChDbSession session;
    private readonly QueryRequest request;
    private readonly bool jsonRows;
    private readonly bool? headerTypes;

    private nint handle;
    private Task<ResultBuffer?>? pending;
    private ResultBuffer? block;
    private ReadOnlyMemory<byte> queued;
    private bool? array;
    private byte[]? header;
    private bool arrayOpened;
    private bool ended;
    private bool failed;
    private volatile bool stopping;
    private Task? stop;
    private bool disposed;

    // Set when the engine would not stream the statement and it ran whole instead.
    private bool ranWhole;

    /// <summary>Takes over <paramref name="session"/>, rented for a stream; the statement starts on the first read.</summary>
    public ChDbResultStream(EmbeddedTransport transport, ChDbSession session, QueryRequest request)
    {
        this.transport = transport;
        this.session = session;
        this.request = request;
        jsonRows = JsonRowFormats.Contains(request.Format);
        headerTypes = RowBinaryHeaderFormats.TryGetValue(request.Format, out var withTypes) ? withTypes : null;
    }

    /// <summary>Whether output in <paramref name="format"/> is streamed, rather than run whole.</summary>
    public static bool Streams(string format) => StreamedFormats.Contains(format);

    public override async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (failed)
        {
            throw new InvalidOperationException("The statement failed; its output has no more pieces.");
        }

        if (!queued.IsEmpty)
        {
            var piece = queued;
            queued = default;
            return piece;
        }

        while (!ended)
        {
            // The previous block's pieces have all been handed over.
            block?.Dispose();
            block = await FetchAsync(cancellationToken).ConfigureAwait(false);
            if (block is null)
            {
                ended = true;
                return array == true ? (arrayOpened ? ArrayClosing : EmptyArray) : ReadOnlyMemory<byte>.Empty;
            }

            var framed = Frame(block.Memory);
            if (!framed.IsEmpty)
            {
                return framed;
            }
        }

        return ReadOnlyMemory<byte>.Empty;
    }

    public override async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (pending is { IsCompleted: false } fetch)
        {
            // A fetch is under way: a read that was cancelled, or the next block, which may be long in coming
            // (a filter that matches rarely). The statement is stopped, and disposal returns once it has: a
            // KILL still on its way could otherwise meet the caller's next statement under the same query id.
            stopping = true;
            stop ??= transport.StopAsync(request.QueryId, fetch);
            await PendingStops.Over(stop);
            if (!fetch.IsCompleted)
            {
                // Still running after every attempt: the session waits for it, not the caller.
                _ = fetch.ContinueWith(_ => Release(), TaskScheduler.Default);
                return;
            }
        }
        else if (stop is not null)
        {
            await PendingStops.Over(stop);
        }

        Release();
    }

    private void Release()
    {
        try
        {
            if (pending is { } fetch)
            {
                // A cancelled read's fetch: its block, or its error, has no reader left.
                if (fetch.IsCompletedSuccessfully)
                {
                    fetch.Result?.Dispose();
                }
                else
                {
                    _ = fetch.Exception;
                }
            }

            block?.Dispose();
            if (handle != 0)
            {
                session.EndStream(handle, complete: ended);
            }
        }
        finally
        {
            transport.Engine.ReturnFromStream(session);
        }
    }

    /// <summary>
    /// The next block, or null at the end. Once a block has come, the one after it is fetched at once, so that
    /// the engine produces it while the reader takes this one: a reader that decodes or sends each block then
    /// waits for the engine only when the engine is the slower of the two.
    /// </summary>
    private async Task<ResultBuffer?> FetchAsync(CancellationToken cancellationToken)
    {
        var fetch = pending ?? StartFetch();
        pending = fetch;
        try
        {
            var fetched = await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
            pending = fetched is null ? null : StartFetch();
            return fetched;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !fetch.IsCompleted)
        {
            failed = true;
            stopping = true;
            stop = transport.StopAsync(request.QueryId, fetch);
            throw;
        }
        catch (ClickHouseServerException)
        {
            pending = null;
            failed = true;
            throw;
        }
    }

    private Task<ResultBuffer?> StartFetch() =>
        // Each engine call blocks its thread until a block is ready; keep it off the caller's.
        Task.Run(
            () =>
            {
                if (handle == 0)
                {
                    if (ranWhole)
                    {
                        return null;
                    }

                    // A read cancelled before its statement started: do not start it.
                    if (stopping)
                    {
                        throw new OperationCanceledException($"Query {request.QueryId} was cancelled before it started.");
                    }

                    try
                    {
                        handle = session.StartStream(request);
                    }
                    catch (ClickHouseServerException ex) when (IsRefusedAsStream(ex))
                    {
                        // Refused before it ran: the statement runs whole, its output one block (none when empty).
                        ranWhole = true;
                        var whole = session.Execute(request);
                        if (whole.Memory.IsEmpty)
                        {
                            whole.Dispose();
                            return null;
                        }

                        return whole;
                    }
                }

                return session.FetchChunk(handle, request.QueryId);
            },
            CancellationToken.None);

    /// <summary>
    /// The engine streams only queries that read (SELECT and the like); it refuses EXPLAIN, SHOW, DESCRIBE
    /// and other statements with output before running them.
    /// </summary>
    private static bool IsRefusedAsStream(ClickHouseServerException ex) =>
        ex.ErrorCode == BadArguments && ex.Message.Contains("Streaming query is not supported", StringComparison.Ordinal);

    /// <summary>The piece of <paramref name="chunk"/> to hand over now (empty for none); it may queue a second.</summary>
    private ReadOnlyMemory<byte> Frame(ReadOnlyMemory<byte> chunk)
    {
        if (headerTypes is { } withTypes)
        {
            return WithoutRepeatedHeader(chunk, withTypes);
        }

        // JSONEachRow's rows start with '{'; only a block written as an array starts with '['.
        array ??= jsonRows && chunk.Span[0] == (byte)'[';
        if (array == false)
        {
            return chunk;
        }

        var span = chunk.Span;
        if (span.Length < ArrayOpening.Length + ArrayClosing.Length || !span.StartsWith(ArrayOpening.Span) || !span.EndsWith(ArrayClosing.Span))
        {
            failed = true;
            throw new InvalidOperationException($"The embedded engine streamed a block of {request.Format} that is not one JSON array (query {request.QueryId}).");
        }

        var rows = chunk[ArrayOpening.Length..^ArrayClosing.Length];
        if (rows.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (!arrayOpened)
        {
            // The block's own opening starts the whole array.
            arrayOpened = true;
            return chunk[..^ArrayClosing.Length];
        }

        queued = rows;
        return RowSeparator;
    }

    /// <summary>The first block whole; any later one without the header it repeats.</summary>
    private ReadOnlyMemory<byte> WithoutRepeatedHeader(ReadOnlyMemory<byte> chunk, bool withTypes)
    {
        var reader = new RowBinaryReader(chunk.Span);
        var columns = reader.ReadLength();
        for (var i = 0; i < (withTypes ? 2 * columns : columns); i++)
        {
            reader.ReadBytes(reader.ReadLength());
        }

        var blockHeader = chunk[..reader.Position];
        if (header is null)
        {
            header = blockHeader.ToArray();
            return chunk;
        }

        if (!blockHeader.Span.SequenceEqual(header))
        {
            failed = true;
            throw new InvalidOperationException($"The embedded engine streamed a block of {request.Format} whose header differs from the first block's (query {request.QueryId}).");
        }

        return chunk[reader.Position..];
    }
}
