namespace Analytics.Api.Ingestion;

/// <summary>
/// Lengths as the contract counts them: in characters (Unicode code points, as JSON Schema's
/// <c>maxLength</c> does), not UTF-16 units, so that an emoji counts once, not twice.
/// </summary>
internal static class TextLength
{
    /// <summary>The number of code points in <paramref name="text"/>; an unpaired surrogate counts as one.</summary>
    public static int CodePoints(ReadOnlySpan<char> text)
    {
        var count = text.Length;
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]))
            {
                count--;
            }
        }

        return count;
    }

    /// <summary>Whether <paramref name="text"/> holds more than <paramref name="max"/> code points.</summary>
    public static bool Exceeds(string text, int max) =>
        // A string never holds more code points than UTF-16 units: only a long one needs counting.
        text.Length > max && CodePoints(text) > max;

    /// <summary>Whether the valid UTF-8 <paramref name="utf8"/> holds more than <paramref name="max"/> code points.</summary>
    public static bool Exceeds(ReadOnlySpan<byte> utf8, int max)
    {
        // A code point takes at least one byte: only a long text needs counting. Every byte but a continuation (10xxxxxx) starts one.
        if (utf8.Length <= max)
        {
            return false;
        }

        var continuations = 0;
        foreach (var b in utf8)
        {
            continuations += (b & 0xC0) == 0x80 ? 1 : 0;
        }

        return utf8.Length - continuations > max;
    }
}
