using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types;

/// <summary>
/// One ClickHouse data type: its name, the .NET type its values read as, and how a value travels
/// in each format the provider speaks (RowBinary out, Native in, parameter text in).
/// </summary>
public abstract class ClickHouseType
{
    /// <summary>The type's full ClickHouse name, e.g. <c>Nullable(DateTime64(3, 'UTC'))</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The .NET type a non-null value is read as.</summary>
    public abstract Type ClrType { get; }

    /// <summary>The name written in a Native block header; differs only where the wire form is a simpler type.</summary>
    internal virtual string NativeName => Name;

    /// <summary>Parses a ClickHouse type name such as <c>Array(Nullable(String))</c>.</summary>
    public static ClickHouseType Parse(string name) => TypeParser.Parse(name);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Decodes one value from a RowBinary stream.</summary>
    internal abstract object Read(ref RowBinaryReader reader);

    /// <summary>Encodes a whole column in Native layout.</summary>
    internal abstract void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values);

    /// <summary>
    /// Encodes a whole column of typed values in Native layout. Types override it for the .NET types
    /// they take as they are, so that those values are never boxed; any other type of value goes
    /// through <see cref="WriteColumn(NativeWriter, IReadOnlyList{object?})"/> and its conversions.
    /// </summary>
    internal virtual void WriteColumn<T>(NativeWriter writer, ReadOnlySpan<T> values)
    {
        var boxed = ArrayPool<object?>.Shared.Rent(values.Length);
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                boxed[i] = values[i];
            }

            WriteColumn(writer, new ArraySegment<object?>(boxed, 0, values.Length));
        }
        finally
        {
            ArrayPool<object?>.Shared.Return(boxed, clearArray: true);
        }
    }

    /// <summary>
    /// Writes each of <paramref name="values"/> with <paramref name="write"/> when they are <typeparamref name="TValue"/>s,
    /// the type an override takes as it is; returns false, having written nothing, for any other type.
    /// </summary>
    private protected static bool TryWriteEach<T, TValue>(NativeWriter writer, ReadOnlySpan<T> values, Action<NativeWriter, TValue> write)
    {
        if (typeof(T) != typeof(TValue))
        {
            return false;
        }

        foreach (var value in As<T, TValue>(values))
        {
            write(writer, value);
        }

        return true;
    }

    /// <summary>
    /// <paramref name="values"/> seen as a span of <typeparamref name="TActual"/>; only valid when the
    /// caller has checked that <typeparamref name="T"/> is <typeparamref name="TActual"/>.
    /// </summary>
    private protected static ReadOnlySpan<TActual> As<T, TActual>(ReadOnlySpan<T> values)
    {
        Debug.Assert(typeof(T) == typeof(TActual));
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, TActual>(ref MemoryMarshal.GetReference(values)), values.Length);
    }

    /// <summary>
    /// Renders a value as parameter text. At the top level (<paramref name="quoted"/> false) values use
    /// the escaped text form; inside arrays, maps and tuples they use the quoted literal form.
    /// </summary>
    internal abstract void Format(StringBuilder builder, object value, bool quoted);

    /// <summary>Converts a caller's value to <typeparamref name="T"/>, accepting any convertible number or string.</summary>
    internal static T Convert<T>(object value) =>
        value is T typed ? typed : (T)System.Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="text"/> escaped for the text formats, quoted when nested.</summary>
    internal static void AppendText(StringBuilder builder, string text, bool quoted)
    {
        if (quoted)
        {
            builder.Append('\'');
        }

        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\'': builder.Append(quoted ? @"\'" : "'"); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                case '\0': builder.Append(@"\0"); break;
                case '\b': builder.Append(@"\b"); break;
                case '\f': builder.Append(@"\f"); break;
                default: builder.Append(c); break;
            }
        }

        if (quoted)
        {
            builder.Append('\'');
        }
    }
}
