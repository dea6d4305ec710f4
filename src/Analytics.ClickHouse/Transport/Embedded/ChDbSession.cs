using System.Buffers;
using System.Text;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>
/// One chDB connection. It runs one statement at a time and remembers its current database and
/// the settings it was given, so that a statement only pays for a change.
/// </summary>
internal sealed unsafe class ChDbSession(nint connectionSlot)
{
    private const int UnknownDatabase = 81;

    private readonly Dictionary<string, string> settings = new(StringComparer.Ordinal);
    private string? database;
    private bool closed;

    // Set when a statement ends in an error or is cancelled; see ReleaseFailedStatement.
    private bool failed;

    // chdb_connect returns a pointer to the connection handle; statements take the handle itself.
    private nint Connection => *(nint*)connectionSlot;

    public ResultBuffer Execute(QueryRequest request) => Released(() =>
    {
        Prepare(request);
        return Run(request.Sql, request.Format, request.Parameters, request.QueryId);
    });

    /// <summary>
    /// Starts the request's statement as a stream: its output is then taken chunk by chunk with
    /// <see cref="FetchChunk"/>, and the stream always ends with <see cref="EndStream"/>. The session runs
    /// nothing else meanwhile.
    /// </summary>
    public nint StartStream(QueryRequest request)
    {
        try
        {
            Prepare(request);
            return Succeeded(Invoke(request.Sql, request.Format, request.Parameters, streaming: true), request.QueryId);
        }
        catch
        {
            failed = true;
            ReleaseFailedStatement();
            throw;
        }
    }

    /// <summary>
    /// The stream's next chunk of output (one block's rows, a whole document of the format), or null once
    /// the output is complete. The engine skips empty blocks, so an empty chunk only ever marks the end.
    /// </summary>
    public ResultBuffer? FetchChunk(nint stream, string queryId)
    {
        nint chunk;
        try
        {
            chunk = Succeeded(ChDbNative.StreamFetch(Connection, stream), queryId);
        }
        catch
        {
            // Released once the stream has ended.
            failed = true;
            throw;
        }

        if (ChDbNative.ResultLength(chunk) == 0)
        {
            ChDbNative.DestroyResult(chunk);
            return null;
        }

        var owner = new ChDbResultMemory(chunk);
        return new ResultBuffer(owner.Memory, 0, owner);
    }

    /// <summary>Ends a stream; one left before its end is cancelled first, which stops the statement.</summary>
    public void EndStream(nint stream, bool complete)
    {
        if (!complete)
        {
            ChDbNative.StreamCancelQuery(Connection, stream);

            // A stream both cancelled here and killed (a reader that left while the next block was being
            // fetched) stays listed like a failed statement.
            failed = true;
        }

        ChDbNative.DestroyResult(stream);
        ReleaseFailedStatement();
    }

    public ulong Insert(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken) => Released(() =>
    {
        Prepare(request);
        return StreamRows(request, format, chunks, cancellationToken);
    });

    private ulong StreamRows(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        var sql = Encoding.UTF8.GetBytes(request.Sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        nint stream;
        fixed (byte* sqlPointer = sql)
        fixed (byte* formatPointer = formatBytes)
        {
            stream = ChDbNative.StreamInsert(Connection, sqlPointer, (nuint)sql.Length, formatPointer, (nuint)formatBytes.Length);
        }

        try
        {
            ThrowIfError(ChDbNative.StreamInsertError(stream), request.QueryId);
            foreach (var chunk in chunks)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    ChDbNative.StreamCancelInsert(stream);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                using var pin = chunk.Pin();
                if (ChDbNative.StreamAppend(stream, (byte*)pin.Pointer, (nuint)chunk.Length) != 0)
                {
                    ThrowIfError(ChDbNative.StreamInsertError(stream), request.QueryId);
                    throw new ClickHouseServerException("The embedded engine refused the inserted data.", 0, request.QueryId);
                }
            }

            var result = ChDbNative.StreamDone(stream);
            try
            {
                ThrowIfError(ChDbNative.ResultError(result), request.QueryId);
                ThrowIfError(ChDbNative.StreamInsertError(stream), request.QueryId);
                return ChDbNative.ResultRowsWritten(result);
            }
            finally
            {
                ChDbNative.DestroyResult(result);
            }
        }
        finally
        {
            // Cancels first when the stream was not finished. A stream that failed may still have committed parts:
            // one per table it writes (its views' included), each as soon as its block is written.
            ChDbNative.DestroyInsertStream(stream);
        }
    }

    public void Close()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        ChDbNative.CloseConnection((nint*)connectionSlot);
    }

    private void Prepare(QueryRequest request)
    {
        try
        {
            ApplyContext(request);
        }
        catch (ClickHouseServerException ex) when (ex.ErrorCode == UnknownDatabase)
        {
            // The database this session last used was dropped; every statement fails until another is chosen.
            database = null;
            ApplyContext(request);
        }
    }

    /// <summary>Puts the session in the request's database with exactly the request's settings.</summary>
    private void ApplyContext(QueryRequest request)
    {
        if (!string.Equals(database, request.Database, StringComparison.Ordinal))
        {
            using var _ = Run($"USE {ClickHouseSql.QuoteIdentifier(request.Database)}", "Null", [], request.QueryId);
            database = request.Database;
        }

        // The time limit and the query id (as log_comment, which KILL QUERY can find) ride on settings.
        var wanted = new Dictionary<string, string>(request.Settings, StringComparer.Ordinal)
        {
            ["log_comment"] = request.QueryId,
        };
        wanted.TryAdd("max_execution_time", Math.Ceiling(request.Timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));

        // One SET carries every change: settings an earlier statement asked for go back to their defaults
        // (they must not leak into this one), and the request's own are applied where they differ.
        var changes = new List<string>();
        foreach (var name in settings.Keys.Where(n => !wanted.ContainsKey(n)))
        {
            changes.Add($"{name} = DEFAULT");
        }

        foreach (var (name, value) in wanted)
        {
            if (!settings.TryGetValue(name, out var applied) || applied != value)
            {
                ClickHouseSql.EnsureSettingName(name);
                changes.Add($"{name} = {ClickHouseSql.SettingValue(value)}");
            }
        }

        if (changes.Count == 0)
        {
            return;
        }

        // The engine applies a SET whole or not at all, so the session holds exactly the wanted settings only
        // once it has succeeded.
        using var set = Run("SET " + string.Join(", ", changes), "Null", [], request.QueryId);
        settings.Clear();
        foreach (var (name, value) in wanted)
        {
            settings[name] = value;
        }
    }

    private ResultBuffer Run(string sql, string format, IReadOnlyList<KeyValuePair<string, string>> parameters, string queryId)
    {
        var result = Succeeded(Invoke(sql, format, parameters, streaming: false), queryId);
        var owner = new ChDbResultMemory(result);
        return new ResultBuffer(owner.Memory, ChDbNative.ResultRowsWritten(result), owner);
    }

    /// <summary>Starts a statement: run whole, or as a stream to fetch from. Either way the engine's handle may carry an error.</summary>
    private nint Invoke(string sql, string format, IReadOnlyList<KeyValuePair<string, string>> parameters, bool streaming) =>
        parameters.Count == 0 ? InvokePlain(sql, format, streaming) : InvokeWithParameters(sql, format, parameters, streaming);

    private nint InvokePlain(string sql, string format, bool streaming)
    {
        var sqlBytes = Encoding.UTF8.GetBytes(sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        fixed (byte* sqlPointer = sqlBytes)
        fixed (byte* formatPointer = formatBytes)
        {
            delegate*<nint, byte*, nuint, byte*, nuint, nint> call = streaming ? &ChDbNative.StreamQuery : &ChDbNative.Query;
            return call(Connection, sqlPointer, (nuint)sqlBytes.Length, formatPointer, (nuint)formatBytes.Length);
        }
    }

    private nint InvokeWithParameters(string sql, string format, IReadOnlyList<KeyValuePair<string, string>> parameters, bool streaming)
    {
        var sqlBytes = Encoding.UTF8.GetBytes(sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        var count = parameters.Count;
        var names = new byte[count][];
        var values = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            names[i] = Encoding.UTF8.GetBytes(parameters[i].Key);
            values[i] = Encoding.UTF8.GetBytes(parameters[i].Value);
        }

        var handles = new List<MemoryHandle>(count * 2);
        var namePointers = new byte*[count];
        var valuePointers = new byte*[count];
        var nameLengths = new nuint[count];
        var valueLengths = new nuint[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                var nameHandle = names[i].AsMemory().Pin();
                var valueHandle = values[i].AsMemory().Pin();
                handles.Add(nameHandle);
                handles.Add(valueHandle);
                namePointers[i] = (byte*)nameHandle.Pointer;
                valuePointers[i] = (byte*)valueHandle.Pointer;
                nameLengths[i] = (nuint)names[i].Length;
                valueLengths[i] = (nuint)values[i].Length;
            }

            fixed (byte* sqlPointer = sqlBytes)
            fixed (byte* formatPointer = formatBytes)
            fixed (byte** namesPointer = namePointers)
            fixed (byte** valuesPointer = valuePointers)
            fixed (nuint* nameLengthsPointer = nameLengths)
            fixed (nuint* valueLengthsPointer = valueLengths)
            {
                delegate*<nint, byte*, nuint, byte*, nuint, byte**, nuint*, byte**, nuint*, nuint, nint> call =
                    streaming ? &ChDbNative.StreamQueryWithParameters : &ChDbNative.QueryWithParameters;
                return call(
                    Connection,
                    sqlPointer,
                    (nuint)sqlBytes.Length,
                    formatPointer,
                    (nuint)formatBytes.Length,
                    namesPointer,
                    nameLengthsPointer,
                    valuesPointer,
                    valueLengthsPointer,
                    (nuint)count);
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }
    }

    /// <summary>Returns an engine result that carries no error; one that does is destroyed and its error thrown.</summary>
    private static nint Succeeded(nint result, string queryId)
    {
        if (ChDbNative.ReadString(ChDbNative.ResultError(result)) is { Length: > 0 } message)
        {
            ChDbNative.DestroyResult(result);
            throw ClickHouseServerException.FromMessage(message, queryId);
        }

        return result;
    }

    private static void ThrowIfError(nint error, string queryId)
    {
        if (ChDbNative.ReadString(error) is { Length: > 0 } message)
        {
            throw ClickHouseServerException.FromMessage(message, queryId);
        }
    }

    /// <summary>Runs a whole statement; if it fails, the session is released of it before the failure is thrown.</summary>
    private T Released<T>(Func<T> statement)
    {
        try
        {
            return statement();
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            ReleaseFailedStatement();
        }
    }

    /// <summary>
    /// After a statement failed, runs an empty one. The engine keeps a statement that failed while running
    /// (cancelled, timed out, or thrown by a function) until its connection runs the next one: it stays in
    /// system.processes and keeps every byte it had allocated, a whole aggregation's worth for a heavy
    /// query, for as long as the session sits idle in the pool. Called only once no stream is open.
    /// </summary>
    private void ReleaseFailedStatement()
    {
        if (!failed)
        {
            return;
        }

        failed = false;

        // Under a log_comment of its own: a KILL still looking for the failed statement must not find this one.
        ChDbNative.DestroyResult(InvokePlain("SELECT 1 SETTINGS log_comment = ''", "Null", streaming: false));
    }
}
