using System.Globalization;
using System.Text.Json;

namespace Analytics.Api.Ingestion;

/// <summary>
/// Batches that could not be inserted, one JSON file each, named so that they sort in arrival
/// order. A file is written to a temporary name and renamed, so a crash never leaves half a batch.
/// The writer asks whether the spool is empty before every batch, so the count is kept in memory
/// (counted from the folder once, at start) rather than read from the disk each time.
/// </summary>
public sealed class EventSpool
{
    private const string NameTimeFormat = "yyyyMMddHHmmssfffffff";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string folder;
    private long sequence;
    private int count;

    public EventSpool(string folder)
    {
        this.folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(this.folder);
        count = Directory.EnumerateFiles(this.folder, "*.json").Count();
    }

    public sealed record Batch(List<EventRecord> Events, List<QuarantinedLine> Quarantined);

    public bool IsEmpty => Volatile.Read(ref count) == 0;

    public int Count => Volatile.Read(ref count);

    /// <summary>How long the oldest batch has waited (from its file name, which starts with its UTC time); zero when none waits.</summary>
    public TimeSpan OldestAge(DateTime utcNow)
    {
        if (IsEmpty)
        {
            return TimeSpan.Zero;
        }

        var oldest = Directory.EnumerateFiles(folder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).FirstOrDefault();
        if (oldest is null || oldest.Length < NameTimeFormat.Length
            || !DateTime.TryParseExact(oldest.AsSpan(0, NameTimeFormat.Length), NameTimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var written))
        {
            return TimeSpan.Zero;
        }

        return utcNow > written ? utcNow - written : TimeSpan.Zero;
    }

    public async Task WriteAsync(Batch batch, CancellationToken cancellationToken)
    {
        var name = $"{DateTime.UtcNow.ToString(NameTimeFormat, CultureInfo.InvariantCulture)}-{Interlocked.Increment(ref sequence):D10}";
        var temporary = Path.Combine(folder, name + ".tmp");
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, batch, Json, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        File.Move(temporary, Path.Combine(folder, name + ".json"));
        Interlocked.Increment(ref count);
    }

    /// <summary>The oldest batch and its file, or null when the spool is empty.</summary>
    public async Task<(string File, Batch Batch)?> PeekAsync(CancellationToken cancellationToken)
    {
        var oldest = Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal).FirstOrDefault();
        if (oldest is null)
        {
            return null;
        }

        await using var stream = File.OpenRead(oldest);
        var batch = await JsonSerializer.DeserializeAsync<Batch>(stream, Json, cancellationToken)
            ?? throw new InvalidDataException($"Spool file {oldest} is empty.");
        return (oldest, batch);
    }

    public void Remove(string file)
    {
        File.Delete(file);
        Interlocked.Decrement(ref count);
    }
}
