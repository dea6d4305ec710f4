using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.ClickHouse.Types.Text;

/// <summary><c>FixedString(N)</c>: exactly N bytes, zero-padded; read as text with the padding removed.</summary>
internal sealed class FixedStringType(int length) : ClickHouseType
{
    public int Length { get; } = length > 0 ? length : throw new NotSupportedException("FixedString needs a positive length.");

    public override string Name => $"FixedString({Length})";

    public override Type ClrType => typeof(string);

    internal override object Read(ref RowBinaryReader reader) =>
        Encoding.UTF8.GetString(reader.ReadBytes(Length)).TrimEnd('\0');

    internal override void WriteColumn(NativeWriter writer, IReadOnlyList<object?> values)
    {
        Span<byte> cell = stackalloc byte[Length];
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            cell.Clear();
            var bytes = value switch
            {
                null => [],
                byte[] raw => raw,
                _ => Encoding.UTF8.GetBytes(value.ToString() ?? string.Empty),
            };
            if (bytes.Length > Length)
            {
                throw new ArgumentException($"A value of {bytes.Length} bytes does not fit {Name}.");
            }

            bytes.CopyTo(cell);
            writer.WriteBytes(cell);
        }
    }

    internal override void Format(StringBuilder builder, object value, bool quoted) =>
        AppendText(builder, value.ToString() ?? string.Empty, quoted);
}
