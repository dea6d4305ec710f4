namespace Analytics.LoadTest.Generation;

/// <summary>Whole NDJSON lines: the first <see cref="Length"/> bytes of <see cref="Data"/>.</summary>
internal sealed record NdjsonBatch(byte[] Data, int Length, int Lines)
{
    public ReadOnlyMemory<byte> Memory => Data.AsMemory(0, Length);
}
