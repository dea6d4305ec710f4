namespace Analytics.ClickHouse.Transport;

/// <summary>How statements reach an engine: in-process (chDB) or over HTTP.</summary>
internal interface IClickHouseTransport : IAsyncDisposable
{
    /// <summary>Runs one statement and returns its whole output in <see cref="QueryRequest.Format"/>.</summary>
    Task<ResultBuffer> QueryAsync(QueryRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one statement and hands its output over piece by piece as it is produced. An output that cannot
    /// be streamed (some formats, in the embedded engine) comes whole, as one piece.
    /// </summary>
    Task<ResultStream> QueryStreamAsync(QueryRequest request, CancellationToken cancellationToken);

    /// <summary>The same as <see cref="QueryAsync"/>, blocking the calling thread (the synchronous ADO.NET methods).</summary>
    ResultBuffer Query(QueryRequest request);

    /// <summary>
    /// Streams <paramref name="chunks"/> (data in <paramref name="format"/>) into
    /// <see cref="QueryRequest.Sql"/>, an INSERT without FORMAT clause. Returns the rows written.
    /// </summary>
    Task<ulong> InsertAsync(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken);
}
