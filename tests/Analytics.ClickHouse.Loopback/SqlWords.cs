namespace Analytics.ClickHouse.Loopback;

/// <summary>One bare word of a statement's text, outside quotes and comments, at its bracket depth.</summary>
internal readonly record struct SqlWord(int Start, int Length, int Depth)
{
    public int End => Start + Length;

    public bool Is(string text, string keyword) =>
        Length == keyword.Length && text.AsSpan(Start, Length).Equals(keyword, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Walks the bare words of a statement: what the server's own parser would see as keywords and names,
/// skipping string literals, quoted names and comments, so that a keyword inside a literal is never taken
/// for a clause. Enough to find where an INSERT's data begins and which output format a query names.
/// </summary>
internal static class SqlWords
{
    public static IEnumerable<SqlWord> Of(string text, int from = 0)
    {
        var depth = 0;
        var i = from;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) || c == ',' || c == ';' || c == '=' || c == '.')
            {
                i++;
            }
            else if (c == '(' || c == '[')
            {
                depth++;
                i++;
            }
            else if (c == ')' || c == ']')
            {
                depth--;
                i++;
            }
            else if (c == '\'' || c == '"' || c == '`')
            {
                i = SkipQuoted(text, i, c);
            }
            else if (c == '-' && At(text, i + 1) == '-' || c == '#')
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
            }
            else if (c == '/' && At(text, i + 1) == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                yield return new SqlWord(start, i - start, depth);
            }
            else
            {
                i++;
            }
        }
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    // A quote closes at its next unescaped twin; a doubled twin ('') or a backslash escape stays inside.
    private static int SkipQuoted(string text, int start, char quote)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '\\')
            {
                i += 2;
            }
            else if (text[i] == quote)
            {
                if (At(text, i + 1) != quote)
                {
                    return i + 1;
                }

                i += 2;
            }
            else
            {
                i++;
            }
        }

        return text.Length;
    }
}
