using System.Runtime.InteropServices;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>The subset of chDB's C API (chdb.h, engine 26.7) this provider calls.</summary>
internal static unsafe partial class ChDbNative
{
    public const string Library = "chdb";

    [LibraryImport(Library, EntryPoint = "chdb_set_signal_handlers_enabled")]
    public static partial void SetSignalHandlersEnabled(int enabled);

    [LibraryImport(Library, EntryPoint = "chdb_connect")]
    public static partial nint Connect(int argc, nint* argv);

    [LibraryImport(Library, EntryPoint = "chdb_close_conn")]
    public static partial void CloseConnection(nint* connection);

    [LibraryImport(Library, EntryPoint = "chdb_shutdown")]
    public static partial int Shutdown();

    [LibraryImport(Library, EntryPoint = "chdb_query_n")]
    public static partial nint Query(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library, EntryPoint = "chdb_query_with_params_n")]
    public static partial nint QueryWithParameters(
        nint connection,
        byte* query,
        nuint queryLength,
        byte* format,
        nuint formatLength,
        byte** names,
        nuint* nameLengths,
        byte** values,
        nuint* valueLengths,
        nuint count);

    [LibraryImport(Library, EntryPoint = "chdb_stream_query_n")]
    public static partial nint StreamQuery(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library, EntryPoint = "chdb_stream_query_with_params_n")]
    public static partial nint StreamQueryWithParameters(
        nint connection,
        byte* query,
        nuint queryLength,
        byte* format,
        nuint formatLength,
        byte** names,
        nuint* nameLengths,
        byte** values,
        nuint* valueLengths,
        nuint count);

    /// <summary>The next chunk of a streamed query: an error, a chunk of output, or an empty result at the end.</summary>
    [LibraryImport(Library, EntryPoint = "chdb_stream_fetch_result")]
    public static partial nint StreamFetch(nint connection, nint stream);

    [LibraryImport(Library, EntryPoint = "chdb_stream_cancel_query")]
    public static partial void StreamCancelQuery(nint connection, nint stream);

    [LibraryImport(Library, EntryPoint = "chdb_destroy_query_result")]
    public static partial void DestroyResult(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_buffer")]
    public static partial byte* ResultBuffer(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_length")]
    public static partial nuint ResultLength(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_rows_written")]
    public static partial ulong ResultRowsWritten(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_result_error")]
    public static partial nint ResultError(nint result);

    [LibraryImport(Library, EntryPoint = "chdb_stream_insert_n")]
    public static partial nint StreamInsert(nint connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library, EntryPoint = "chdb_stream_append")]
    public static partial int StreamAppend(nint stream, byte* data, nuint length);

    [LibraryImport(Library, EntryPoint = "chdb_stream_done")]
    public static partial nint StreamDone(nint stream);

    [LibraryImport(Library, EntryPoint = "chdb_stream_cancel_insert")]
    public static partial void StreamCancelInsert(nint stream);

    [LibraryImport(Library, EntryPoint = "chdb_stream_insert_error")]
    public static partial nint StreamInsertError(nint stream);

    [LibraryImport(Library, EntryPoint = "chdb_destroy_insert_stream")]
    public static partial void DestroyInsertStream(nint stream);

    public static string? ReadString(nint utf8) => utf8 == 0 ? null : Marshal.PtrToStringUTF8(utf8);
}
