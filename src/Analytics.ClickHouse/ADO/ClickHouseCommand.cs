using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Transport;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// One ClickHouse statement with server-side <c>{name:Type}</c> parameters. Every execution gets a
/// fresh <see cref="QueryId"/> unless the caller sets one.
/// </summary>
public sealed class ClickHouseCommand : DbCommand
{
    private ClickHouseConnection? connection;
    private string commandText = string.Empty;

    /// <summary>Creates a command with no connection.</summary>
    public ClickHouseCommand()
    {
    }

    /// <summary>Creates a command on <paramref name="connection"/>.</summary>
    public ClickHouseCommand(ClickHouseConnection connection, string commandText = "")
    {
        this.connection = connection;
        this.commandText = commandText;
    }

    /// <inheritdoc />
    [AllowNull]
    public override string CommandText
    {
        get => commandText;
        set => commandText = value ?? string.Empty;
    }

    /// <summary>Seconds the statement may run; 0 means the connection's timeout.</summary>
    public override int CommandTimeout { get; set; }

    /// <inheritdoc />
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
            {
                throw new NotSupportedException("ClickHouse runs text statements only.");
            }
        }
    }

    /// <inheritdoc />
    public override bool DesignTimeVisible { get; set; }

    /// <inheritdoc />
    public override UpdateRowSource UpdatedRowSource { get; set; }

    /// <summary>The statement's parameters.</summary>
    public new ClickHouseParameterCollection Parameters { get; } = new();

    /// <summary>ClickHouse settings applied to this statement only, e.g. <c>max_threads</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The id the statement runs under; set it to choose one, read it after a run to see the one used.</summary>
    public string? QueryId { get; set; }

    /// <inheritdoc />
    protected override DbConnection? DbConnection
    {
        get => connection;
        set => connection = (ClickHouseConnection?)value;
    }

    /// <inheritdoc />
    protected override DbParameterCollection DbParameterCollection => Parameters;

    /// <inheritdoc />
    protected override DbTransaction? DbTransaction
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new NotSupportedException("ClickHouse has no transactions.");
            }
        }
    }

    /// <summary>Creates a parameter bound to a placeholder of this command.</summary>
    public new ClickHouseParameter CreateParameter() => new();

    /// <inheritdoc />
    public override void Cancel()
    {
        // Cancellation goes through the CancellationToken of the async methods, which stops the query server-side.
    }

    /// <inheritdoc />
    public override int ExecuteNonQuery()
    {
        using var result = Run(ClickHouseDataReader.Format);
        return (int)Math.Min(int.MaxValue, result.RowsWritten);
    }

    /// <inheritdoc />
    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        using var result = await RunAsync(ClickHouseDataReader.Format, cancellationToken).ConfigureAwait(false);
        return (int)Math.Min(int.MaxValue, result.RowsWritten);
    }

    /// <inheritdoc />
    public override object? ExecuteScalar()
    {
        using var reader = ExecuteDbDataReader(CommandBehavior.Default);
        return reader.Read() ? reader.GetValue(0) : null;
    }

    /// <inheritdoc />
    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        // Run whole: a scalar's output is small, and a reader closed before its end would stop the statement.
        await using var reader = ClickHouseDataReader.Open(await RunAsync(ClickHouseDataReader.Format, cancellationToken).ConfigureAwait(false));
        return reader.Read() ? reader.GetValue(0) : null;
    }

    /// <inheritdoc />
    public override void Prepare()
    {
        // Statements are parsed by the server on every run; there is nothing to prepare.
    }

    /// <inheritdoc />
    protected override DbParameter CreateDbParameter() => CreateParameter();

    /// <inheritdoc />
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => ClickHouseDataReader.Open(Run(ClickHouseDataReader.Format));

    /// <inheritdoc />
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        // The output is taken piece by piece as the rows are read.
        var (transport, request) = BuildRequest(ClickHouseDataReader.Format);
        var stream = await transport.QueryStreamAsync(request, cancellationToken).ConfigureAwait(false);
        return await ClickHouseDataReader.OpenAsync(stream, rowsWritten: -1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the statement and returns its output as the engine writes it in <paramref name="format"/>
    /// (any output format the engine knows, e.g. <c>JSONEachRow</c> or <c>CSVWithNames</c>), without
    /// decoding a row. The format's own settings (<c>output_format_*</c>) go in <see cref="Settings"/>.
    /// The output's first piece is read here, so that a statement that fails at once (a bad query, a
    /// missing table, a sort or an aggregation that fails) throws here, before any byte is handed over; a
    /// failure further on is thrown by the result's reads. Dispose the result.
    /// </summary>
    public async Task<ClickHouseRawResult> ExecuteRawAsync(string format, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(format);
        var (transport, request) = BuildRequest(format);
        var stream = await transport.QueryStreamAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var first = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new ClickHouseRawResult(stream, format, first);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private Task<ResultBuffer> RunAsync(string format, CancellationToken cancellationToken)
    {
        var (transport, request) = BuildRequest(format);
        return transport.QueryAsync(request, cancellationToken);
    }

    private ResultBuffer Run(string format)
    {
        var (transport, request) = BuildRequest(format);
        return transport.Query(request);
    }

    private (IClickHouseTransport Transport, QueryRequest Request) BuildRequest(string format)
    {
        var owner = connection ?? throw new InvalidOperationException("The command has no connection.");
        var (sql, values) = ParameterFormatter.Bind(commandText, Parameters.Cast<ClickHouseParameter>().ToList());
        var request = new QueryRequest(
            sql,
            owner.Database,
            QueryId ??= Guid.NewGuid().ToString(),
            format,
            values,
            new Dictionary<string, string>(Settings),
            TimeSpan.FromSeconds(CommandTimeout > 0 ? CommandTimeout : owner.Settings.Timeout));
        return (owner.Statements, request);
    }
}
