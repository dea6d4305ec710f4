using System.Text.RegularExpressions;

namespace Analytics.ClickHouse.Loopback;

/// <summary>What the server is asked to do, told from the statement's text.</summary>
internal abstract partial record Statement
{
    /// <summary>A statement whose output, if any, is the answer; <paramref name="Format"/> null when the text names none.</summary>
    public sealed record Query(string Sql, string? Format) : Statement;

    /// <summary>An INSERT whose data follows the text: <paramref name="Sql"/> ends before its FORMAT clause.</summary>
    public sealed record Insert(string Sql, string Format, int DataStart) : Statement;

    /// <summary><c>KILL QUERY WHERE query_id = ...</c>: stops the server's own statements under that id.</summary>
    public sealed record Kill(string QueryId) : Statement;

    /// <summary>
    /// Reads <paramref name="text"/> (the <c>query</c> parameter and the body joined), as the server's parser
    /// would far enough to tell the statement from its data.
    /// </summary>
    public static Statement Parse(string text, IReadOnlyDictionary<string, string> parameters)
    {
        var words = SqlWords.Of(text).ToList();
        if (words.Count == 0)
        {
            return new Query(text, null);
        }

        if (words[0].Is(text, "INSERT"))
        {
            return ParseInsert(text, words);
        }

        if (words[0].Is(text, "KILL") && KillById().Match(text) is { Success: true } kill)
        {
            var id = kill.Groups["literal"].Success
                ? kill.Groups["literal"].Value.Replace("\\'", "'", StringComparison.Ordinal)
                : parameters.GetValueOrDefault(kill.Groups["param"].Value, "");
            return new Kill(id);
        }

        return ParseQuery(text, words);
    }

    // INSERT INTO t [(cols)] FORMAT name <data>; VALUES (...) and SELECT ... run as statements of their own.
    private static Statement ParseInsert(string text, List<SqlWord> words)
    {
        foreach (var word in words.Where(w => w.Depth == 0).Skip(1))
        {
            if (word.Is(text, "SELECT") || word.Is(text, "WITH"))
            {
                return new Query(text, null);
            }

            if (word.Is(text, "VALUES"))
            {
                // Values may hold {name:Type} placeholders, which only a statement's own text substitutes.
                return new Query(text.TrimEnd().TrimEnd(';'), null);
            }

            if (word.Is(text, "FORMAT"))
            {
                var name = words.FirstOrDefault(w => w.Start > word.Start);
                if (name.Length == 0)
                {
                    break;
                }

                // The data starts after the format's name and the whitespace up to and including a line end.
                var start = name.End;
                while (start < text.Length && text[start] is ' ' or '\t' or '\r')
                {
                    start++;
                }

                if (start < text.Length && text[start] == '\n')
                {
                    start++;
                }

                return new Insert(text[..word.Start].TrimEnd(), text.Substring(name.Start, name.Length), start);
            }
        }

        return new Query(text, null);
    }

    // A query's own FORMAT clause is its last (a SETTINGS clause may follow it); it decides the output.
    private static Query ParseQuery(string text, List<SqlWord> words)
    {
        var sql = text.TrimEnd().TrimEnd(';');
        for (var i = words.Count - 2; i >= 0; i--)
        {
            var word = words[i];
            if (word.Depth != 0 || !word.Is(text, "FORMAT"))
            {
                continue;
            }

            var name = words[i + 1];
            var after = i + 2 < words.Count ? words[i + 2] : default;
            if (after.Length == 0 || after.Is(text, "SETTINGS"))
            {
                var rest = after.Length == 0 ? "" : " " + sql[after.Start..];
                return new Query(sql[..word.Start].TrimEnd() + rest, text.Substring(name.Start, name.Length));
            }
        }

        return new Query(sql, null);
    }

    [GeneratedRegex(@"^\s*KILL\s+QUERY\s+WHERE\s+query_id\s*=\s*(?:'(?<literal>(?:[^'\\]|\\.)*)'|\{(?<param>\w+)\s*:\s*String\s*\})(?:\s+(?:ASYNC|SYNC))?\s*;?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex KillById();
}
