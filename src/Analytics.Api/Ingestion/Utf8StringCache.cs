using System.Text;

namespace Analytics.Api.Ingestion;

/// <summary>
/// One string per repeated UTF-8 value. Events of a flood name the same users, templates, products
/// and institutions over and over; reading those fields through the cache allocates each text once
/// instead of once per event, which keeps the garbage collector out of the ingestion path.
/// </summary>
/// <remarks>
/// Direct-mapped and bounded: a value whose slot holds another value simply replaces it, so memory stays
/// at <c>slots</c> entries whatever the cardinality. Slots are swapped as whole references, so readers on
/// any thread see either the old entry or the new one, never a torn one.
/// </remarks>
public sealed class Utf8StringCache
{
    /// <summary>Longer values are rare and mostly unique: they are not cached.</summary>
    public const int MaxCachedBytes = 128;

    private readonly Entry?[] entries;
    private readonly int mask;

    public Utf8StringCache(int slots)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "The slot count must be a power of two.");
        }

        entries = new Entry?[slots];
        mask = slots - 1;
    }

    /// <summary>The string of <paramref name="utf8"/>, which must be valid UTF-8.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        var slot = hash.ToHashCode() & mask;
        var entry = Volatile.Read(ref entries[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        entry = new Entry(utf8.ToArray(), Encoding.UTF8.GetString(utf8));
        Volatile.Write(ref entries[slot], entry);
        return entry.Value;
    }

    private sealed record Entry(byte[] Utf8, string Value);
}
