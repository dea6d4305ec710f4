using System.Buffers;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Types;

namespace Analytics.ClickHouse;

/// <summary>
/// How a row of <typeparamref name="TRow"/> becomes the columns of an insert: one typed accessor per
/// column. A bulk write through a map reads each column's values straight into a typed buffer, so
/// values of the .NET types the column takes as they are (<see cref="string"/> for <c>String</c>,
/// <see cref="DateTime"/> for <c>DateTime64</c>, <see cref="uint"/> for <c>UInt32</c> and so on) are
/// never boxed; other values are converted as <see cref="ClickHouseBulkWriter.WriteAsync(IEnumerable{object?[]}, CancellationToken)"/> does.
/// </summary>
/// <example>
/// <code>
/// var map = new ClickHouseColumnMap&lt;Call&gt;()
///     .Add("id", c => c.Id)
///     .Add("at", c => c.At)
///     .Add("tokens", c => c.Tokens);
/// await connection.CreateBulkWriter("calls", map.Columns).WriteAsync(calls, map);
/// </code>
/// </example>
public sealed class ClickHouseColumnMap<TRow>
{
    private readonly List<Column> columns = [];
    private readonly List<string> names = [];

    /// <summary>The mapped column names, in the order they were added.</summary>
    public IReadOnlyList<string> Columns => names;

    /// <summary>Maps <paramref name="column"/> to the value <paramref name="value"/> reads from a row.</summary>
    public ClickHouseColumnMap<TRow> Add<TValue>(string column, Func<TRow, TValue> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(value);
        if (names.Contains(column, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Column '{column}' is mapped twice.", nameof(column));
        }

        columns.Add(new Column<TValue>(value));
        names.Add(column);
        return this;
    }

    /// <summary>Encodes one Native block of <paramref name="rows"/> with the given column types.</summary>
    internal void EncodeBlock(NativeWriter writer, IReadOnlyList<ClickHouseType> types, IReadOnlyList<TRow> rows)
    {
        writer.WriteVarUInt((ulong)columns.Count);
        writer.WriteVarUInt((ulong)rows.Count);
        for (var c = 0; c < columns.Count; c++)
        {
            writer.WriteString(names[c]);
            writer.WriteString(types[c].NativeName);
            columns[c].Write(writer, types[c], rows);
        }
    }

    private abstract class Column
    {
        public abstract void Write(NativeWriter writer, ClickHouseType type, IReadOnlyList<TRow> rows);
    }

    private sealed class Column<TValue>(Func<TRow, TValue> value) : Column
    {
        public override void Write(NativeWriter writer, ClickHouseType type, IReadOnlyList<TRow> rows)
        {
            // A block's column is too large for the small-object heap: the buffer is rented.
            var buffer = ArrayPool<TValue>.Shared.Rent(rows.Count);
            try
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    buffer[r] = value(rows[r]);
                }

                type.WriteColumn(writer, new ReadOnlySpan<TValue>(buffer, 0, rows.Count));
            }
            finally
            {
                ArrayPool<TValue>.Shared.Return(buffer, clearArray: System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TValue>());
            }
        }
    }
}
