using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Api.Ingestion;

/// <summary>
/// The event ids committed within the dedup window, as 128-bit hashes of (workspace, event id), each with
/// the hour it was committed in: one lookup per event whatever the window, and ids older than the window
/// are dropped once an hour, so memory stays proportional to the window's traffic. Only the writer adds.
/// </summary>
public sealed class DedupIndex(TimeSpan window, TimeProvider time)
{
    private readonly Dictionary<UInt128, long> committedHour = [];
    private readonly Lock gate = new();
    private long prunedBefore = long.MinValue;

    /// <summary>Ids committed so far and not yet dropped.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return committedHour.Count;
            }
        }
    }

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
        var oldest = OldestHour();
        lock (gate)
        {
            return committedHour.TryGetValue(key, out var hour) && hour >= oldest;
        }
    }

    public void Add(IEnumerable<UInt128> keys, DateTime committedAt)
    {
        var hour = committedAt.Ticks / TimeSpan.TicksPerHour;
        var oldest = OldestHour();
        lock (gate)
        {
            foreach (var key in keys)
            {
                committedHour[key] = hour;
            }

            if (oldest > prunedBefore)
            {
                // At most once an hour: a pass over every id, removing those that left the window.
                foreach (var (key, committed) in committedHour)
                {
                    if (committed < oldest)
                    {
                        committedHour.Remove(key);
                    }
                }

                prunedBefore = oldest;
            }
        }
    }

    private long OldestHour() => (time.GetUtcNow().UtcDateTime - window).Ticks / TimeSpan.TicksPerHour;
}
