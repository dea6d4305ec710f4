using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Transport.Embedded;
using Analytics.ClickHouse.Transport.Http;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// A connection to ClickHouse: the in-process chDB engine or a server's HTTP interface, chosen by
/// the connection string. Opening is cheap; the engine and HTTP clients behind it are shared.
/// </summary>
public sealed class ClickHouseConnection : DbConnection
{
    private static readonly ConcurrentDictionary<string, IClickHouseTransport> HttpTransports = new(StringComparer.Ordinal);

    private ClickHouseConnectionStringBuilder settings = new();
    private IClickHouseTransport? transport;
    private TracedTransport? traced;
    private string? database;
    private ConnectionState state = ConnectionState.Closed;
    private string? serverVersion;

    /// <summary>Creates a closed connection with no connection string.</summary>
    public ClickHouseConnection()
    {
    }

    /// <summary>Creates a closed connection for <paramref name="connectionString"/>.</summary>
    public ClickHouseConnection(string connectionString) => ConnectionString = connectionString;

    /// <inheritdoc />
    [AllowNull]
    public override string ConnectionString
    {
        get => settings.ConnectionString;
        set
        {
            if (state != ConnectionState.Closed)
            {
                throw new InvalidOperationException("Close the connection before changing its connection string.");
            }

            settings = new ClickHouseConnectionStringBuilder(value ?? string.Empty);
            database = null;
        }
    }

    /// <inheritdoc />
    public override string Database => database ?? settings.Database;

    /// <inheritdoc />
    public override string DataSource => settings.Engine == ClickHouseEngine.Http ? settings.Url : Path.GetFullPath(settings.Path);

    /// <inheritdoc />
    public override string ServerVersion => serverVersion ??= ExecuteScalar("SELECT version()")?.ToString() ?? string.Empty;

    /// <inheritdoc />
    public override ConnectionState State => state;

    /// <inheritdoc />
    public override int ConnectionTimeout => settings.Timeout;

    /// <summary>The parsed connection string.</summary>
    public ClickHouseConnectionStringBuilder Settings => settings;

    internal IClickHouseTransport Transport =>
        transport ?? throw new InvalidOperationException("The connection is not open.");

    /// <summary>The transport statements go through: <see cref="Transport"/>, each statement an activity.</summary>
    internal IClickHouseTransport Statements =>
        traced ?? throw new InvalidOperationException("The connection is not open.");

    /// <inheritdoc />
    public override void Open()
    {
        if (state == ConnectionState.Open)
        {
            return;
        }

        transport = settings.Engine switch
        {
            ClickHouseEngine.Embedded => new EmbeddedTransport(ChDbEngine.Open(settings.Path, settings.LibraryPath, settings.PoolSize)),
            _ => HttpTransports.GetOrAdd(settings.ConnectionString, _ => new DriverTransport(
                new Uri(settings.Url), settings.Username, settings.Password, settings.Compression)),
        };
        traced = new TracedTransport(transport);
        state = ConnectionState.Open;
    }

    /// <summary>
    /// Makes the server connections of <paramref name="connectionString"/> use <paramref name="transport"/>
    /// (benchmarks: the server transport over a handler in this process).
    /// </summary>
    internal static void UseTransport(string connectionString, IClickHouseTransport transport) =>
        HttpTransports[new ClickHouseConnectionStringBuilder(connectionString).ConnectionString] = transport;

    /// <inheritdoc />
    public override Task OpenAsync(CancellationToken cancellationToken)
    {
        // Booting the embedded engine (or fetching it on first use) blocks; keep it off the caller's thread.
        return state == ConnectionState.Open ? Task.CompletedTask : Task.Run(Open, cancellationToken);
    }

    /// <inheritdoc />
    public override void Close()
    {
        // The engine and the HTTP clients outlive connections; closing only detaches this one.
        transport = null;
        traced = null;
        state = ConnectionState.Closed;
    }

    /// <inheritdoc />
    public override void ChangeDatabase(string databaseName)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        database = databaseName;
    }

    /// <summary>Creates a command on this connection.</summary>
    public new ClickHouseCommand CreateCommand() => new(this);

    /// <summary>Creates a bulk writer that inserts rows into <paramref name="table"/> in Native format.</summary>
    public ClickHouseBulkWriter CreateBulkWriter(string table, IReadOnlyList<string> columns) => new(this, table, columns);

    /// <summary>Runs a statement and returns the first column of its first row.</summary>
    public object? ExecuteScalar(string sql)
    {
        using var command = CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <inheritdoc />
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        throw new NotSupportedException("ClickHouse has no transactions; design writes to be idempotent instead.");

    /// <inheritdoc />
    protected override DbCommand CreateDbCommand() => CreateCommand();

    /// <summary>
    /// Streams data already encoded in <paramref name="format"/> (JSONEachRow, CSV, Native, ...) into
    /// <paramref name="insertSql"/>, an <c>INSERT INTO t (columns)</c> without FORMAT clause. The data
    /// never becomes part of the statement text. <paramref name="querySettings"/> apply to this insert
    /// only. Returns the rows written.
    /// </summary>
    public Task<ulong> InsertRawAsync(
        string insertSql, string format, IEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? querySettings = null)
    {
        var request = new QueryRequest(
            insertSql,
            Database,
            Guid.NewGuid().ToString(),
            format,
            [],
            querySettings ?? new Dictionary<string, string>(),
            TimeSpan.FromSeconds(settings.Timeout));
        return Statements.InsertAsync(request, format, chunks, cancellationToken);
    }
}
