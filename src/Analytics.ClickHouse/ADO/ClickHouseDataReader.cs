using System.Collections;
using System.Data.Common;
using System.Globalization;
using Analytics.ClickHouse.Formats;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Types;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// Reads a result in <c>RowBinaryWithNamesAndTypes</c>: the header names each column and its type,
/// then rows follow. Each <see cref="Read"/> decodes one row.
/// </summary>
public sealed class ClickHouseDataReader : DbDataReader
{
    internal const string Format = "RowBinaryWithNamesAndTypes";

    private readonly ResultBuffer buffer;
    private readonly string[] names;
    private readonly ClickHouseType[] types;
    private readonly object[] row;
    private int position;
    private bool hasRow;
    private bool closed;

    internal ClickHouseDataReader(ResultBuffer buffer)
    {
        this.buffer = buffer;
        var reader = new RowBinaryReader(buffer.Memory.Span);
        if (reader.End)
        {
            // Statements without output (DDL, INSERT) send no header at all.
            names = [];
            types = [];
        }
        else
        {
            var count = reader.ReadLength();
            names = new string[count];
            types = new ClickHouseType[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = reader.ReadString();
            }

            for (var i = 0; i < count; i++)
            {
                types[i] = ClickHouseType.Parse(reader.ReadString());
            }
        }

        position = reader.Position;
        row = new object[names.Length];
    }

    /// <inheritdoc />
    public override int FieldCount => names.Length;

    /// <inheritdoc />
    public override bool HasRows => position < buffer.Memory.Length || hasRow;

    /// <inheritdoc />
    public override bool IsClosed => closed;

    /// <summary>Rows the statement wrote, for INSERT ... SELECT and the like.</summary>
    public override int RecordsAffected => (int)Math.Min(int.MaxValue, buffer.RowsWritten);

    /// <inheritdoc />
    public override int Depth => 0;

    /// <inheritdoc />
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc />
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <summary>The ClickHouse type of a column.</summary>
    public ClickHouseType GetClickHouseType(int ordinal) => types[ordinal];

    /// <inheritdoc />
    public override bool Read()
    {
        ObjectDisposedException.ThrowIf(closed, this);
        var span = buffer.Memory.Span;
        if (position >= span.Length)
        {
            hasRow = false;
            return false;
        }

        var reader = new RowBinaryReader(span[position..]);
        for (var i = 0; i < types.Length; i++)
        {
            row[i] = types[i].Read(ref reader);
        }

        position += reader.Position;
        hasRow = true;
        return true;
    }

    /// <inheritdoc />
    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        // The whole result is already in memory; decoding a row does not wait on anything.
        cancellationToken.ThrowIfCancellationRequested();
        return Read() ? TrueTask : FalseTask;
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
            buffer.Dispose();
        }
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
