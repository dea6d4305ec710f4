using System.Text.Json;

namespace Analytics.Api.Ingestion;

/// <summary>
/// Batches that could not be inserted, one JSON file each, named so that they sort in arrival
/// order. A file is written to a temporary name and renamed, so a crash never leaves half a batch.
/// </summary>
public sealed class EventSpool
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string folder;
    private long sequence;

    public EventSpool(string folder)
    {
        this.folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(this.folder);
    }

    public sealed record Batch(List<EventRecord> Events, List<QuarantinedLine> Quarantined);

    public bool IsEmpty => !Directory.EnumerateFiles(folder, "*.json").Any();

    public int Count => Directory.EnumerateFiles(folder, "*.json").Count();

    public async Task WriteAsync(Batch batch, CancellationToken cancellationToken)
    {
        var name = $"{DateTime.UtcNow:yyyyMMddHHmmssfffffff}-{Interlocked.Increment(ref sequence):D10}";
        var temporary = Path.Combine(folder, name + ".tmp");
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, batch, Json, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        File.Move(temporary, Path.Combine(folder, name + ".json"));
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

    public static void Remove(string file) => File.Delete(file);
}
