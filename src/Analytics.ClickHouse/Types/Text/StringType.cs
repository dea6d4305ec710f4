using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Text;

/// <summary><c>String</c>: arbitrary bytes with a length prefix, read as UTF-8 text. <c>byte[]</c> values are written as they are.</summary>
internal sealed class StringType : ClickHouseType
{
    public static readonly StringType Instance = new();

    public override string Name => "String";

    public override Type ClrType => typeof(string);

    internal override object Read(ref RowBinaryReader reader) => reader.ReadString();

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            switch (value)
            {
                case null: writer.WriteByte(0); break;
                case string s: writer.WriteString(s); break;
                case byte[] bytes:
                    writer.WriteVarUInt((ulong)bytes.Length);
                    writer.WriteBytes(bytes);
                    break;
                default: writer.WriteString(System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty); break;
            }
        }
    }

    internal override void WriteColumn<T>(NativeWriter writer, ReadOnlySpan<T> values)
    {
        if (!TryWriteEach<T, string?>(writer, values, static (w, s) => w.WriteString(s ?? string.Empty)))
        {
            base.WriteColumn(writer, values);
        }
    }

    internal override void Format(StringBuilder builder, object value, bool quoted) =>
        AppendText(builder, value as string ?? System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, quoted);
}
