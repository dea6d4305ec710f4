using System.Runtime.InteropServices;
using System.Text;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Transport.Embedded;

namespace Analytics.Benchmarks;

/// <summary>
/// The engine's C API with nothing of the provider around it: no pool, no thread hop, no settings,
/// no decoding. The baselines run on it, so a ratio shows what the provider adds to the engine's own work.
/// </summary>
internal sealed unsafe class RawChDbConnection : IDisposable
{
    private nint slot;

    public RawChDbConnection(string dataPath)
    {
        string[] args = ["clickhouse", $"--path={dataPath}"];
        var encoded = args.Select(a => Marshal.StringToCoTaskMemUTF8(a)).ToArray();

        // The engine re-installs its signal handlers on every connect; .NET needs its own back (see ENGINE.md).
        var saved = PosixSignals.Save();
        try
        {
            fixed (nint* argv = encoded)
            {
                slot = ChDbNative.Connect(encoded.Length, argv);
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

        if (slot == 0)
        {
            throw new InvalidOperationException($"chDB could not open a connection on '{dataPath}'.");
        }
    }

    // chdb_connect returns a pointer to the connection handle; statements take the handle itself.
    private nint Handle => *(nint*)slot;

    /// <summary>Runs <paramref name="sql"/>, then frees the result unread; returns its size in bytes.</summary>
    public long Query(string sql, string format)
    {
        var sqlBytes = Encoding.UTF8.GetBytes(sql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        nint result;
        fixed (byte* sqlPointer = sqlBytes)
        fixed (byte* formatPointer = formatBytes)
        {
            result = ChDbNative.Query(Handle, sqlPointer, (nuint)sqlBytes.Length, formatPointer, (nuint)formatBytes.Length);
        }

        try
        {
            ThrowIfError(ChDbNative.ResultError(result));
            return (long)ChDbNative.ResultLength(result);
        }
        finally
        {
            ChDbNative.DestroyResult(result);
        }
    }

    /// <summary>Streams <paramref name="chunks"/>, already in <paramref name="format"/>, into <paramref name="insertSql"/>; returns the rows written.</summary>
    public ulong Insert(string insertSql, string format, IReadOnlyList<byte[]> chunks)
    {
        var sqlBytes = Encoding.UTF8.GetBytes(insertSql);
        var formatBytes = Encoding.UTF8.GetBytes(format);
        nint stream;
        fixed (byte* sqlPointer = sqlBytes)
        fixed (byte* formatPointer = formatBytes)
        {
            stream = ChDbNative.StreamInsert(Handle, sqlPointer, (nuint)sqlBytes.Length, formatPointer, (nuint)formatBytes.Length);
        }

        try
        {
            ThrowIfError(ChDbNative.StreamInsertError(stream));
            foreach (var chunk in chunks)
            {
                fixed (byte* data = chunk)
                {
                    if (ChDbNative.StreamAppend(stream, data, (nuint)chunk.Length) != 0)
                    {
                        ThrowIfError(ChDbNative.StreamInsertError(stream));
                        throw new InvalidOperationException("The engine refused the inserted data.");
                    }
                }
            }

            var result = ChDbNative.StreamDone(stream);
            try
            {
                ThrowIfError(ChDbNative.ResultError(result));
                ThrowIfError(ChDbNative.StreamInsertError(stream));
                return ChDbNative.ResultRowsWritten(result);
            }
            finally
            {
                ChDbNative.DestroyResult(result);
            }
        }
        finally
        {
            ChDbNative.DestroyInsertStream(stream);
        }
    }

    public void Dispose()
    {
        var owned = Interlocked.Exchange(ref slot, 0);
        if (owned != 0)
        {
            ChDbNative.CloseConnection((nint*)owned);
        }
    }

    private static void ThrowIfError(nint error)
    {
        if (ChDbNative.ReadString(error) is { Length: > 0 } message)
        {
            throw ClickHouseServerException.FromMessage(message, "benchmark-baseline");
        }
    }
}
