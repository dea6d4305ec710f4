using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Analytics.ClickHouse;

/// <summary>
/// Quoting for the few things that cannot travel as server-side parameters: database and table
/// names, and setting values. Data values never go through here; they are parameters.
/// </summary>
public static partial class ClickHouseSql
{
    /// <summary>Quotes <paramref name="name"/> as a ClickHouse identifier with backticks.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "`" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";
    }

    /// <summary>Renders a setting value: numbers as they are, anything else as a quoted string literal.</summary>
    public static string SettingValue(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && PlainNumber().IsMatch(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\'': builder.Append(@"\'"); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                case '\0': builder.Append(@"\0"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>Throws unless <paramref name="name"/> has the shape of a setting name.</summary>
    public static void EnsureSettingName(string name)
    {
        if (!SettingName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid ClickHouse setting name.", nameof(name));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex PlainNumber();
}
