using System.Collections;
using System.Data.Common;
using System.Globalization;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Types;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// Reads a result in <c>RowBinaryWithNamesAndTypes</c>: the header names each column and its type,
/// then rows follow. Each <see cref="Read"/> decodes one row. A reader from
/// <c>ExecuteReaderAsync</c> takes the output from the engine piece by piece as its rows are read, so
/// that an output of any size is held a block or two at a time; closing it before its last row stops
/// the statement.
/// </summary>
public sealed class ClickHouseDataReader : DbDataReader
{
    internal const string Format = "RowBinaryWithNamesAndTypes";

    private readonly ResultStream stream;
    private readonly long rowsWritten;
    private string[] names = [];
    private ClickHouseType[] types = [];
    private object[] row = [];

    // The bytes at hand: the stream's current piece, or what was left of one joined with the next.
    private ReadOnlyMemory<byte> window;
    private int position;
    private bool ended;
    private bool hasRows;
    private bool hasRow;
    private bool closed;

    private ClickHouseDataReader(ResultStream stream, long rowsWritten)
    {
        this.stream = stream;
        this.rowsWritten = rowsWritten;
    }

    /// <inheritdoc />
    public override int FieldCount => names.Length;

    /// <inheritdoc />
    public override bool HasRows => hasRows;

    /// <inheritdoc />
    public override bool IsClosed => closed;

    /// <summary>Rows the statement wrote, for INSERT ... SELECT and the like; -1 for a streamed result.</summary>
    public override int RecordsAffected => rowsWritten < 0 ? -1 : (int)Math.Min(int.MaxValue, rowsWritten);

    /// <inheritdoc />
    public override int Depth => 0;

    /// <inheritdoc />
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc />
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <summary>The ClickHouse type of a column.</summary>
    public ClickHouseType GetClickHouseType(int ordinal) => types[ordinal];

    /// <summary>A reader over an output that arrived whole.</summary>
    internal static ClickHouseDataReader Open(ResultBuffer buffer)
    {
        // A whole output is one piece already at hand: opening completes without waiting.
        var opening = OpenAsync(new WholeResultStream(buffer), (long)buffer.RowsWritten, CancellationToken.None);
        return opening.GetAwaiter().GetResult();
    }

    /// <summary>A reader over <paramref name="stream"/>, which it owns; its header is read here.</summary>
    internal static async Task<ClickHouseDataReader> OpenAsync(ResultStream stream, long rowsWritten, CancellationToken cancellationToken)
    {
        var reader = new ClickHouseDataReader(stream, rowsWritten);
        try
        {
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            return reader;
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override bool Read()
    {
        ObjectDisposedException.ThrowIf(closed, this);
        if (TryDecodeRow())
        {
            return true;
        }

        var next = ReadAcrossPiecesAsync(CancellationToken.None);
        return next.IsCompleted ? next.Result : next.AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (TryDecodeRow())
        {
            return TrueTask;
        }

        var next = ReadAcrossPiecesAsync(cancellationToken);
        return next.IsCompletedSuccessfully ? (next.Result ? TrueTask : FalseTask) : next.AsTask();
    }

    private async ValueTask ReadHeaderAsync(CancellationToken cancellationToken)
    {
        while (!TryDecodeHeader())
        {
            if (!await TakeNextPieceAsync(cancellationToken).ConfigureAwait(false))
            {
                if (position < window.Length)
                {
                    throw new InvalidDataException($"The result ends part way through its header ({window.Length - position} bytes).");
                }

                // Statements without output (DDL, INSERT) send no header at all.
                return;
            }
        }

        // Whether a row follows: look as far as its first byte, or the end of the output.
        while (position == window.Length && await TakeNextPieceAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        hasRows = position < window.Length;
    }

    private async ValueTask<bool> ReadAcrossPiecesAsync(CancellationToken cancellationToken)
    {
        while (await TakeNextPieceAsync(cancellationToken).ConfigureAwait(false))
        {
            if (TryDecodeRow())
            {
                return true;
            }
        }

        if (position < window.Length)
        {
            throw new InvalidDataException($"The result ends part way through a row ({window.Length - position} bytes).");
        }

        hasRow = false;
        return false;
    }

    private bool TryDecodeHeader()
    {
        if (position == window.Length)
        {
            return false;
        }

        var reader = new RowBinaryReader(window.Span[position..]);
        try
        {
            var count = reader.ReadLength();
            var headerNames = new string[count];
            var headerTypes = new string[count];
            for (var i = 0; i < count; i++)
            {
                headerNames[i] = reader.ReadString();
            }

            for (var i = 0; i < count; i++)
            {
                headerTypes[i] = reader.ReadString();
            }

            names = headerNames;
            types = Array.ConvertAll(headerTypes, ClickHouseType.Parse);
        }
        catch (ResultTruncatedException)
        {
            // The header goes on in the next piece.
            return false;
        }

        position += reader.Position;
        row = new object[names.Length];
        return true;
    }

    /// <summary>Decodes the next row from the bytes at hand; false when they end before it does.</summary>
    private bool TryDecodeRow()
    {
        if (position == window.Length)
        {
            return false;
        }

        var reader = new RowBinaryReader(window.Span[position..]);
        try
        {
            for (var i = 0; i < types.Length; i++)
            {
                row[i] = types[i].Read(ref reader);
            }
        }
        catch (ResultTruncatedException)
        {
            // The row goes on in the next piece.
            return false;
        }

        position += reader.Position;
        hasRow = true;
        return true;
    }

    /// <summary>
    /// Takes the stream's next piece; what is left of the current one (a row cut in two) is kept in front of
    /// it. False once the output has ended.
    /// </summary>
    private async ValueTask<bool> TakeNextPieceAsync(CancellationToken cancellationToken)
    {
        if (ended)
        {
            return false;
        }

        // A piece is valid only until the next read: keep what is left of it first.
        var left = position < window.Length ? window[position..].ToArray() : null;
        var piece = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
        position = 0;
        if (piece.IsEmpty)
        {
            ended = true;
            window = left ?? ReadOnlyMemory<byte>.Empty;
            return false;
        }

        if (left is null)
        {
            window = piece;
        }
        else
        {
            var joined = new byte[left.Length + piece.Length];
            left.CopyTo(joined, 0);
            piece.CopyTo(joined.AsMemory(left.Length));
            window = joined;
        }

        return true;
    }

    /// <inheritdoc />
    public override bool NextResult() => false;

    /// <inheritdoc />
    public override string GetName(int ordinal) => names[ordinal];

    /// <inheritdoc />
    public override int GetOrdinal(string name)
    {
        var index = Array.IndexOf(names, name);
        if (index < 0)
        {
            index = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        }

        return index >= 0 ? index : throw new IndexOutOfRangeException($"The result has no column named '{name}'.");
    }

    /// <inheritdoc />
    public override string GetDataTypeName(int ordinal) => types[ordinal].Name;

    /// <inheritdoc />
    public override Type GetFieldType(int ordinal) => types[ordinal].ClrType;

    /// <inheritdoc />
    public override object GetValue(int ordinal) => hasRow ? row[ordinal] : throw new InvalidOperationException("No current row; call Read first.");

    /// <inheritdoc />
    public override int GetValues(object[] values)
    {
        var count = Math.Min(values.Length, row.Length);
        Array.Copy(row, values, count);
        return count;
    }

    /// <inheritdoc />
    public override bool IsDBNull(int ordinal) => GetValue(ordinal) is DBNull;

    /// <inheritdoc />
    public override T GetFieldValue<T>(int ordinal)
    {
        var value = GetValue(ordinal);
        if (value is T typed)
        {
            return typed;
        }

        if (value is DBNull && default(T) is null)
        {
            return default!;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)ConvertTo(value, target, ordinal);
    }

    /// <inheritdoc />
    public override bool GetBoolean(int ordinal) => GetFieldValue<bool>(ordinal);

    /// <inheritdoc />
    public override byte GetByte(int ordinal) => GetFieldValue<byte>(ordinal);

    /// <inheritdoc />
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(GetString(ordinal));
        if (buffer is null)
        {
            return bytes.Length;
        }

        var count = (int)Math.Max(0, Math.Min(length, bytes.Length - dataOffset));
        Array.Copy(bytes, dataOffset, buffer, bufferOffset, count);
        return count;
    }

    /// <inheritdoc />
    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    /// <inheritdoc />
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var text = GetString(ordinal);
        if (buffer is null)
        {
            return text.Length;
        }

        var count = (int)Math.Max(0, Math.Min(length, text.Length - dataOffset));
        text.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    /// <inheritdoc />
    public override DateTime GetDateTime(int ordinal) => GetFieldValue<DateTime>(ordinal);

    /// <inheritdoc />
    public override decimal GetDecimal(int ordinal) => GetFieldValue<decimal>(ordinal);

    /// <inheritdoc />
    public override double GetDouble(int ordinal) => GetFieldValue<double>(ordinal);

    /// <inheritdoc />
    public override float GetFloat(int ordinal) => GetFieldValue<float>(ordinal);

    /// <inheritdoc />
    public override Guid GetGuid(int ordinal) => GetFieldValue<Guid>(ordinal);

    /// <inheritdoc />
    public override short GetInt16(int ordinal) => GetFieldValue<short>(ordinal);

    /// <inheritdoc />
    public override int GetInt32(int ordinal) => GetFieldValue<int>(ordinal);

    /// <inheritdoc />
    public override long GetInt64(int ordinal) => GetFieldValue<long>(ordinal);

    /// <inheritdoc />
    public override string GetString(int ordinal) => GetFieldValue<string>(ordinal);

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    /// <inheritdoc />
    public override void Close()
    {
        if (!closed)
        {
            closed = true;
            stream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!closed)
        {
            closed = true;
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        Close();
        base.Dispose(disposing);
    }

    private object ConvertTo(object value, Type target, int ordinal)
    {
        try
        {
            return value switch
            {
                DBNull => throw new InvalidCastException($"Column '{names[ordinal]}' is NULL; read it as a nullable type."),
                DateTime dt when target == typeof(DateTimeOffset) => new DateTimeOffset(dt, TimeSpan.Zero),
                DateOnly d when target == typeof(DateTime) => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                DateTime dt when target == typeof(DateOnly) => DateOnly.FromDateTime(dt),
                string s when target == typeof(Guid) => Guid.Parse(s),
                Int128 or UInt128 => Convert.ChangeType(value.ToString()!, target, CultureInfo.InvariantCulture),
                _ when target.IsEnum => Enum.ToObject(target, value),
                _ => Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException)
        {
            throw new InvalidCastException($"Column '{names[ordinal]}' ({types[ordinal].Name}) cannot be read as {target.Name}.", ex);
        }
    }

    private static readonly Task<bool> TrueTask = Task.FromResult(true);
    private static readonly Task<bool> FalseTask = Task.FromResult(false);
}
