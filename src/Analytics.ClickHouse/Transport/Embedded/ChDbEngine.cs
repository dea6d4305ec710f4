using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>
/// The process's one embedded engine: booted once on one data path, kept alive by an anchor
/// connection, and serving statements from a small pool of sessions (a chDB connection runs one
/// statement at a time). Everything is closed when the process exits.
/// </summary>
internal sealed class ChDbEngine
{
    private static readonly Lock Gate = new();
    private static ChDbEngine? current;

    private readonly ConcurrentBag<ChDbSession> idle = [];
    private readonly List<ChDbSession> all = [];
    private readonly SemaphoreSlim slots;
    private readonly SemaphoreSlim streamSlots;
    private readonly nint anchor;
    private bool closed;

    private ChDbEngine(string dataPath, int poolSize)
    {
        DataPath = dataPath;
        slots = new SemaphoreSlim(poolSize, poolSize);
        StreamLimit = Math.Max(1, poolSize / 2);
        streamSlots = new SemaphoreSlim(StreamLimit, StreamLimit);
        anchor = ConnectRaw(dataPath);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Close();
    }

    public string DataPath { get; }

    /// <summary>
    /// How many sessions streamed outputs may hold at once: half the pool. A stream keeps its session while
    /// its reader reads, and a slow reader (an HTTP client on a poor link) can take minutes; the other half
    /// stays for inserts and every other statement.
    /// </summary>
    public int StreamLimit { get; }

    /// <summary>
    /// Returns the engine for <paramref name="dataPath"/>, booting it on first use. The engine keeps
    /// one data path per process: asking for another one while it runs is refused.
    /// </summary>
    public static ChDbEngine Open(string dataPath, string? libraryPath, int poolSize)
    {
        var fullPath = Path.GetFullPath(dataPath);
        lock (Gate)
        {
            if (current is { } engine)
            {
                if (!string.Equals(engine.DataPath, fullPath, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"The embedded engine already runs on '{engine.DataPath}' in this process; it cannot open '{fullPath}' as well. " +
                        "Use one data path per process.");
                }

                return engine;
            }

            var library = ChDbLibrary.Ensure(libraryPath, message => Console.Error.WriteLine($"[chdb] {message}"));
            ChDbLibrary.RegisterResolver(library);
            Directory.CreateDirectory(fullPath);

            // Before the first connect: keep the engine from installing process-wide signal handlers.
            ChDbNative.SetSignalHandlersEnabled(0);
            return current = new ChDbEngine(fullPath, Math.Max(1, poolSize));
        }
    }

    public async ValueTask<ChDbSession> RentAsync(CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return TakeSession();
    }

    /// <summary>Waits for a free session on the calling thread; for the synchronous ADO.NET methods.</summary>
    public ChDbSession Rent()
    {
        slots.Wait();
        return TakeSession();
    }

    private ChDbSession TakeSession()
    {
        try
        {
            ObjectDisposedException.ThrowIf(closed, this);
            if (idle.TryTake(out var session))
            {
                return session;
            }

            session = new ChDbSession(ConnectRaw(DataPath));
            lock (all)
            {
                all.Add(session);
            }

            return session;
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    public void Return(ChDbSession session)
    {
        idle.Add(session);
        slots.Release();
    }

    /// <summary>Waits for a session a streamed output may hold (see <see cref="StreamLimit"/>).</summary>
    public async ValueTask<ChDbSession> RentForStreamAsync(CancellationToken cancellationToken)
    {
        await streamSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            streamSlots.Release();
            throw;
        }
    }

    /// <summary>Gives back a session rented with <see cref="RentForStreamAsync"/>.</summary>
    public void ReturnFromStream(ChDbSession session)
    {
        Return(session);
        streamSlots.Release();
    }

    /// <summary>Closes every session and the anchor; the engine cannot be used afterwards.</summary>
    public unsafe void Close()
    {
        lock (Gate)
        {
            if (closed)
            {
                return;
            }

            closed = true;
            lock (all)
            {
                foreach (var session in all)
                {
                    session.Close();
                }

                all.Clear();
            }

            ChDbNative.CloseConnection((nint*)anchor);
            ChDbNative.Shutdown();
        }
    }

    private static unsafe nint ConnectRaw(string dataPath)
    {
        string[] args = ["clickhouse", $"--path={dataPath}"];
        var encoded = args.Select(a => Marshal.StringToCoTaskMemUTF8(a)).ToArray();
        var saved = PosixSignals.Save();
        try
        {
            fixed (nint* argv = encoded)
            {
                var connection = ChDbNative.Connect(encoded.Length, argv);
                if (connection == 0)
                {
                    // The engine prints its reason to standard error (most often: another process holds the folder).
                    throw new ClickHouseServerException(
                        $"The embedded engine could not open '{dataPath}'; its reason is printed above. A data folder serves one process at a time.",
                        0,
                        null);
                }

                return connection;
            }
        }
        finally
        {
            PosixSignals.Restore(saved);
            foreach (var pointer in encoded)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }
}
