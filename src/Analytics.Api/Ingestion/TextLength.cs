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
}
