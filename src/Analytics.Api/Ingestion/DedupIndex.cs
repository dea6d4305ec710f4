using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Api.Ingestion;

/// <summary>
/// The event ids committed within the dedup window, as 128-bit hashes of (workspace, event id) in
/// hourly buckets, so memory stays proportional to the window's traffic. Only the writer mutates it.
/// </summary>
public sealed class DedupIndex(TimeSpan window, TimeProvider time)
{
    private readonly SortedDictionary<long, HashSet<UInt128>> buckets = [];
    private readonly Lock gate = new();

    public static UInt128 Key(string workspaceId, string eventId)
    {
        // Ids are at most 64 characters and workspace ids short; 1 KiB holds both in UTF-8.
        Span<byte> buffer = stackalloc byte[1024];
        var length = Encoding.UTF8.GetBytes(workspaceId, buffer);
        buffer[length++] = 0x1F;
        length += Encoding.UTF8.GetBytes(eventId, buffer[length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer[..length], hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    public bool Contains(UInt128 key)
    {
        lock (gate)
        {
            foreach (var bucket in buckets.Values)
            {
                if (bucket.Contains(key))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void Add(IEnumerable<UInt128> keys, DateTime committedAt)
    {
        var hour = committedAt.Ticks / TimeSpan.TicksPerHour;
        lock (gate)
        {
            if (!buckets.TryGetValue(hour, out var bucket))
            {
                buckets[hour] = bucket = [];
            }

            bucket.UnionWith(keys);
            Prune();
        }
    }

    private void Prune()
    {
        var oldest = (time.GetUtcNow().UtcDateTime - window).Ticks / TimeSpan.TicksPerHour;
        foreach (var hour in buckets.Keys.Where(h => h < oldest).ToList())
        {
            buckets.Remove(hour);
        }
    }
}
