using System.Text;
using System.Text.RegularExpressions;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Types;

namespace Analytics.ClickHouse.Formats;

/// <summary>
/// Binds parameters to a statement. ClickHouse's own <c>{name:Type}</c> placeholders are used as
/// they are; <c>@name</c> (the form Dapper and most ADO.NET code write) becomes <c>{name:Type}</c>
/// with the type inferred from the value. Values are rendered as the text ClickHouse parses for
/// the placeholder's type, so the server reads back exactly what was meant.
/// </summary>
internal static partial class ParameterFormatter
{
    public static (string Sql, IReadOnlyList<KeyValuePair<string, string>> Values) Bind(string sql, IReadOnlyList<ClickHouseParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return (sql, []);
        }

        var bound = sql.Contains('@', StringComparison.Ordinal) ? ReplaceAtNames(sql, parameters) : sql;
        return (bound, Format(bound, parameters));
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Format(string sql, IEnumerable<ClickHouseParameter> parameters)
    {
        var declared = DeclaredTypes(sql);
        var result = new List<KeyValuePair<string, string>>();
        var builder = new StringBuilder();
        foreach (var parameter in parameters)
        {
            var type = declared.TryGetValue(parameter.ParameterName, out var typeName)
                ? ClickHouseType.Parse(typeName)
                : parameter.ResolveType();
            builder.Clear();
            var value = parameter.Value;
            if (value is null or DBNull)
            {
                // \N is the escaped form of NULL; a non-Nullable placeholder rejects it, as it should.
                builder.Append("\\N");
            }
            else
            {
                type.Format(builder, value, quoted: false);
            }

            result.Add(new(parameter.ParameterName, builder.ToString()));
        }

        return result;
    }

    /// <summary>Replaces <c>@name</c> outside string literals, quoted identifiers and comments.</summary>
    private static string ReplaceAtNames(string sql, IReadOnlyList<ClickHouseParameter> parameters)
    {
        var byName = new Dictionary<string, ClickHouseParameter>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            byName.TryAdd(parameter.ParameterName, parameter);
        }

        var builder = new StringBuilder(sql.Length + 32);
        var i = 0;
        while (i < sql.Length)
        {
            var end = SkipInert(sql, i);
            if (end > i)
            {
                builder.Append(sql, i, end - i);
                i = end;
                continue;
            }

            if (sql[i] == '@' && i + 1 < sql.Length && IsNameStart(sql[i + 1]) && (i == 0 || !IsNameChar(sql[i - 1])))
            {
                var j = i + 1;
                while (j < sql.Length && IsNameChar(sql[j]))
                {
                    j++;
                }

                if (byName.TryGetValue(sql[(i + 1)..j], out var parameter))
                {
                    builder.Append('{').Append(parameter.ParameterName).Append(':').Append(parameter.ResolveType().Name).Append('}');
                    i = j;
                    continue;
                }
            }

            builder.Append(sql[i]);
            i++;
        }

        return builder.ToString();
    }

    /// <summary>The end of a literal, quoted name or comment starting at <paramref name="start"/>, or <paramref name="start"/> if none does.</summary>
    private static int SkipInert(string sql, int start)
    {
        var c = sql[start];
        var next = start + 1 < sql.Length ? sql[start + 1] : '\0';
        if (c is '\'' or '"' or '`')
        {
            var i = start + 1;
            while (i < sql.Length)
            {
                if (sql[i] == '\\')
                {
                    i += 2;
                }
                else if (sql[i] == c)
                {
                    // A doubled quote is an escaped quote.
                    if (i + 1 < sql.Length && sql[i + 1] == c)
                    {
                        i += 2;
                    }
                    else
                    {
                        return i + 1;
                    }
                }
                else
                {
                    i++;
                }
            }

            return sql.Length;
        }

        if (c == '-' && next == '-')
        {
            var newline = sql.IndexOf('\n', start);
            return newline < 0 ? sql.Length : newline + 1;
        }

        if (c == '/' && next == '*')
        {
            var close = sql.IndexOf("*/", start + 2, StringComparison.Ordinal);
            return close < 0 ? sql.Length : close + 2;
        }

        return start;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static Dictionary<string, string> DeclaredTypes(string sql)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in Placeholder().Matches(sql))
        {
            types.TryAdd(match.Groups["name"].Value, match.Groups["type"].Value.Trim());
        }

        return types;
    }

    // {name:Type}, where Type may nest parentheses and quoted time zones but never braces.
    [GeneratedRegex(@"\{\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<type>[^{}]+?)\s*\}")]
    private static partial Regex Placeholder();
}
