using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;

namespace Analytics.ClickHouse;

/// <summary>
/// Inserts rows column-wise in Native format, the engine's own block layout. Column types are read
/// from the table once, on first use.
/// </summary>
public sealed class ClickHouseBulkWriter
{
    private readonly ClickHouseConnection connection;
    private ClickHouseType[]? types;

    internal ClickHouseBulkWriter(ClickHouseConnection connection, string table, IReadOnlyList<string> columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        if (columns.Count == 0)
        {
            throw new ArgumentException("Name at least one column.", nameof(columns));
        }

        this.connection = connection;
        Table = table;
        Columns = columns;
    }

    /// <summary>The destination table.</summary>
    public string Table { get; }

    /// <summary>The columns each row gives values for, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>
    /// Settings of the INSERT statements this writer runs, e.g. <c>parallel_view_processing</c> for a table
    /// with several materialized views.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Rows per Native block.</summary>
    public int BlockRows
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = ClickHouseDefaults.BulkBlockRows;

    /// <summary>
    /// Writes <paramref name="rows"/> (one value per column, in <see cref="Columns"/> order) in one
    /// INSERT statement and returns the rows written, materialized views included.
    /// </summary>
    public async Task<ulong> WriteAsync(IEnumerable<object?[]> rows, CancellationToken cancellationToken = default)
    {
        var columnTypes = types ??= await LoadTypesAsync(cancellationToken).ConfigureAwait(false);
        return await InsertAsync(rows, (writer, block) => EncodeBlock(writer, Columns, columnTypes, block), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> through <paramref name="map"/>, whose columns must be
    /// <see cref="Columns"/>, in one INSERT statement; returns the rows written, materialized views included.
    /// Values are read column by column into typed buffers, without boxing.
    /// </summary>
    public async Task<ulong> WriteAsync<TRow>(IEnumerable<TRow> rows, ClickHouseColumnMap<TRow> map, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!map.Columns.SequenceEqual(Columns, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The map's columns ({string.Join(", ", map.Columns)}) are not the writer's ({string.Join(", ", Columns)}).", nameof(map));
        }

        var columnTypes = types ??= await LoadTypesAsync(cancellationToken).ConfigureAwait(false);
        return await InsertAsync(rows, (writer, block) => map.EncodeBlock(writer, columnTypes, block), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encodes one Native block; exposed for benchmarks and for callers that stream blocks themselves.</summary>
    internal static void EncodeBlock(NativeWriter writer, IReadOnlyList<string> columns, IReadOnlyList<ClickHouseType> types, IReadOnlyList<object?[]> rows)
    {
        foreach (var row in rows)
        {
            if (row.Length != columns.Count)
            {
                throw new ArgumentException($"A row has {row.Length} values but {columns.Count} columns were named.");
            }
        }

        writer.WriteVarUInt((ulong)columns.Count);
        writer.WriteVarUInt((ulong)rows.Count);
        // One scratch column, rented: a block's column is too large for the small-object heap.
        var scratch = System.Buffers.ArrayPool<object?>.Shared.Rent(rows.Count);
        try
        {
            var column = new ArraySegment<object?>(scratch, 0, rows.Count);
            for (var c = 0; c < columns.Count; c++)
            {
                writer.WriteString(columns[c]);
                writer.WriteString(types[c].NativeName);
                for (var r = 0; r < rows.Count; r++)
                {
                    scratch[r] = rows[r][c];
                }

                types[c].WriteColumn(writer, column);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<object?>.Shared.Return(scratch, clearArray: true);
        }
    }

    private string QuotedTable => string.Join('.', Table.Split('.').Select(ClickHouseSql.QuoteIdentifier));

    private Task<ulong> InsertAsync<TRow>(IEnumerable<TRow> rows, Action<NativeWriter, List<TRow>> encode, CancellationToken cancellationToken)
    {
        var columnList = string.Join(", ", Columns.Select(ClickHouseSql.QuoteIdentifier));
        return connection.InsertRawAsync(
            $"INSERT INTO {QuotedTable} ({columnList})", "Native", EncodeBlocks(rows, encode, cancellationToken), cancellationToken,
            new Dictionary<string, string>(Settings, StringComparer.Ordinal));
    }

    private IEnumerable<ReadOnlyMemory<byte>> EncodeBlocks<TRow>(IEnumerable<TRow> rows, Action<NativeWriter, List<TRow>> encode, CancellationToken cancellationToken)
    {
        // Blocks are encoded lazily, one at a time, while the engine consumes the previous one.
        using var writer = new NativeWriter();
        // Sized for what is coming when that is known: a whole block's list would land on the large-object heap.
        var batch = new List<TRow>(rows.TryGetNonEnumeratedCount(out var count) ? Math.Min(count, BlockRows) : 1024);
        foreach (var row in rows)
        {
            batch.Add(row);
            if (batch.Count == BlockRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.Clear();
                encode(writer, batch);
                yield return writer.WrittenMemory;
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            writer.Clear();
            encode(writer, batch);
            yield return writer.WrittenMemory;
        }
    }

    private async Task<ClickHouseType[]> LoadTypesAsync(CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, type FROM system.columns WHERE database = {{db:String}} AND table = {{table:String}}";
        var parts = Table.Split('.');
        command.Parameters.AddWithValue("db", parts.Length > 1 ? parts[0] : connection.Database);
        command.Parameters.AddWithValue("table", parts[^1]);
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                known[reader.GetString(0)] = reader.GetString(1);
            }
        }

        if (known.Count == 0)
        {
            throw new ClickHouseServerException($"Table {Table} does not exist in database {connection.Database}.", 60, command.QueryId);
        }

        return Columns.Select(c => known.TryGetValue(c, out var type)
            ? ClickHouseType.Parse(type)
            : throw new ArgumentException($"Table {Table} has no column '{c}'.")).ToArray();
    }
}
