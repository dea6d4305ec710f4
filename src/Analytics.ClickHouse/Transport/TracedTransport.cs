namespace Analytics.ClickHouse.Transport;

/// <summary>Wraps a transport so that every statement is an activity of <see cref="ClickHouseDiagnostics"/>'s source.</summary>
internal sealed class TracedTransport(IClickHouseTransport inner) : IClickHouseTransport
{
    public async Task<ResultBuffer> QueryAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        using var activity = ClickHouseDiagnostics.StartStatement(request.Sql, request.Database, request.QueryId);
        try
        {
            return await inner.QueryAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ClickHouseDiagnostics.Failed(activity, ex);
            throw;
        }
    }

    /// <summary>The activity covers the statement until its output begins; the rows are read after it ends.</summary>
    public async Task<ResultStream> QueryStreamAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        using var activity = ClickHouseDiagnostics.StartStatement(request.Sql, request.Database, request.QueryId);
        try
        {
            return await inner.QueryStreamAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ClickHouseDiagnostics.Failed(activity, ex);
            throw;
        }
    }

    public ResultBuffer Query(QueryRequest request)
    {
        using var activity = ClickHouseDiagnostics.StartStatement(request.Sql, request.Database, request.QueryId);
        try
        {
            return inner.Query(request);
        }
        catch (Exception ex)
        {
            ClickHouseDiagnostics.Failed(activity, ex);
            throw;
        }
    }

    public async Task<ulong> InsertAsync(QueryRequest request, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken)
    {
        using var activity = ClickHouseDiagnostics.StartStatement(request.Sql, request.Database, request.QueryId);
        try
        {
            return await inner.InsertAsync(request, format, chunks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ClickHouseDiagnostics.Failed(activity, ex);
            throw;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
