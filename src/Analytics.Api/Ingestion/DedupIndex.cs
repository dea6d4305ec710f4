using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Api.Ingestion;

/// <summary>
/// The event ids committed within the dedup window, as 128-bit hashes of (workspace, event id), each with
/// the hour it was committed in: one lookup per event whatever the window, and ids older than the window
/// are dropped once an hour, so memory stays proportional to the window's traffic. Only the writer adds.
/// </summary>
/// <remarks>
/// A window of a busy gateway holds tens of millions of ids, so each takes one 12-byte slot of an
/// open-addressing table (linear probing, at most three quarters full): 79 bits of the hash, one bit
/// marking the slot used, and in the low 16 bits the hour it was committed in, modulo 2^16. A lookup
/// compares 79 bits with the ids of its probe chain, 8.5 on average at three quarters full, so a new id
/// is taken for a duplicate about once in 10^22 lookups.
/// Hours are compared as ages (now minus then, modulo 2^16), which is why the window is capped far below
/// 2^16 hours and expired ids are dropped before any call could read them. A slot of zero is empty.
/// The hourly pruning drops expired ids in place; growing (and shrinking a table left under an eighth
/// full) copies the live ids into a new table, so for a moment both are held.
/// The table lives in native memory, freed as soon as a new one replaces it: a managed array of that size
/// left for the collector stayed resident after it was dropped (a table of 100M ids took 1.6 GB, and the
/// process 3.2 GB once it had grown there, a full collection later as much).
/// </remarks>
public sealed class DedupIndex : IDisposable
{
    /// <summary>The longest window: ages are kept in 16 bits, so this stays far below 2^16 hours.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    private const int MinCapacity = 1024;
    private const uint HourBits = 0xFFFF;
    private const uint Used = 1u << 16;

    private readonly TimeSpan window;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private SlotTable slots = new(MinCapacity);
    private bool disposed;
    private int count;
    private long prunedBefore = long.MinValue;
    private long latestHour = long.MinValue;

    public DedupIndex(TimeSpan window, TimeProvider time)
    {
        if (WindowProblem(window) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window {problem}.");
        }

        this.window = window;
        this.time = time;
    }

    /// <summary>Why <paramref name="window"/> cannot be an index's window, or null when it can.</summary>
    public static string? WindowProblem(TimeSpan window) =>
        window <= TimeSpan.Zero || window > MaxWindow ? $"must be longer than zero and at most {MaxWindow.TotalDays} days" : null;

    /// <summary>Ids committed so far and not yet dropped.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    /// <summary>The bytes the table takes now: 12 a slot, at most three quarters of them used.</summary>
    public long MemoryBytes
    {
        get
        {
            lock (gate)
            {
                return (long)slots.Length * SlotTable.SlotBytes;
            }
        }
    }

    /// <summary>The key of an event: the first 128 bits of SHA-256 over the workspace's UTF-8, a 0x1F, and the event id's UTF-8.</summary>
    public static UInt128 Key(string workspaceId, string eventId) => Key(Encoding.UTF8.GetBytes(workspaceId), Encoding.UTF8.GetBytes(eventId));

    /// <inheritdoc cref="Key(string, string)"/>
    public static UInt128 Key(ReadOnlySpan<byte> workspaceUtf8, ReadOnlySpan<byte> eventIdUtf8)
    {
        // Event ids are at most 64 characters and workspace ids short: the stack holds both but for a rare long workspace.
        var length = workspaceUtf8.Length + 1 + eventIdUtf8.Length;
        Span<byte> buffer = length <= 1024 ? stackalloc byte[1024] : new byte[length];
        workspaceUtf8.CopyTo(buffer);
        buffer[workspaceUtf8.Length] = 0x1F;
        eventIdUtf8.CopyTo(buffer[(workspaceUtf8.Length + 1)..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer[..length], hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <summary>The hour a UTC time falls in, as this index counts hours.</summary>
    public static long HourOf(DateTime utc) => utc.Ticks / TimeSpan.TicksPerHour;

    public bool Contains(UInt128 key)
    {
        Span<bool> known = stackalloc bool[1];
        return Find(new ReadOnlySpan<UInt128>(in key), known) == 1;
    }

    /// <summary>Marks in <paramref name="known"/> which of <paramref name="keys"/> were committed within the window; returns how many.</summary>
    public int Find(ReadOnlySpan<UInt128> keys, Span<bool> known)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(known.Length, keys.Length, nameof(known));
        var clock = Now();
        var found = 0;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            PruneIfDue(clock);
            for (var i = 0; i < keys.Length; i++)
            {
                var (high, low) = Identity(keys[i]);
                var slot = slots[Probe(slots, high, low)];
                known[i] = slot.Low != 0 && InWindow(slot, clock);
                found += known[i] ? 1 : 0;
            }
        }

        return found;
    }

    /// <summary>Remembers ids committed at <paramref name="committedAt"/>; an id already known starts its window again.</summary>
    public void Add(IEnumerable<UInt128> keys, DateTime committedAt)
    {
        var hour = HourOf(committedAt);
        Add(keys.Select(key => (key, hour)));
    }

    /// <summary>Remembers ids, each with the hour it was committed in (<see cref="HourOf"/>), as loaded from the store.</summary>
    public void Add(IEnumerable<(UInt128 Key, long Hour)> committed)
    {
        var clock = Now();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            PruneIfDue(clock);
            foreach (var (key, hour) in committed)
            {
                Put(key, hour, clock);
            }
        }
    }

    /// <summary>This hour, and the age in hours beyond which an id has left the window.</summary>
    private (long Hour, long MaxAge) Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        var hour = HourOf(now);
        return (hour, hour - HourOf(now - window));
    }

    /// <summary>The top 64 bits of a key, and bits 17 to 31 with the used bit set and no hour.</summary>
    private static (ulong High, uint Low) Identity(UInt128 key) => ((ulong)(key >> 64), ((uint)key & ~HourBits) | Used);

    private static bool InWindow(Slot slot, (long Hour, long MaxAge) clock) => Age(slot, clock.Hour) <= clock.MaxAge;

    private static long Age(Slot slot, long now) => ((uint)now - slot.Low) & HourBits;

    /// <summary>The slot holding the id, or the empty slot where it would go.</summary>
    private static int Probe(SlotTable slots, ulong high, uint low)
    {
        var table = slots.Span;
        var mask = table.Length - 1;
        var at = (int)(high & (ulong)mask);
        while (table[at].Low != 0 && (table[at].High != high || (table[at].Low & ~HourBits) != low))
        {
            at = (at + 1) & mask;
        }

        GC.KeepAlive(slots); // the span reads memory the table's finalizer would free
        return at;
    }

    private void Put(UInt128 key, long hour, (long Hour, long MaxAge) clock)
    {
        // A time ahead of this clock counts as now; one already out of the window is not worth remembering.
        hour = Math.Min(hour, clock.Hour);
        if (clock.Hour - hour > clock.MaxAge)
        {
            return;
        }

        var (high, low) = Identity(key);
        var at = Probe(slots, high, low);
        if (slots[at].Low == 0)
        {
            if (count + 1 > slots.Length / 4 * 3)
            {
                Rebuild(clock, room: 1);
                at = Probe(slots, high, low);
            }

            count++;
        }
        else if (InWindow(slots[at], clock) && Age(slots[at], clock.Hour) < clock.Hour - hour)
        {
            return; // known from a later commit
        }

        slots[at] = new Slot(high, low | ((uint)hour & HourBits));
    }

    private void PruneIfDue((long Hour, long MaxAge) clock)
    {
        // At most once an hour: a pass over every slot, keeping the ids still in the window. After a quiet
        // spell longer than the window nothing can be in it, and ages may have wrapped: start empty.
        var oldest = clock.Hour - clock.MaxAge;
        if (oldest > latestHour)
        {
            Replace(new SlotTable(MinCapacity));
            count = 0;
        }
        else if (oldest > prunedBefore)
        {
            DropExpired(clock);
            if (count * 8 < slots.Length && slots.Length > MinCapacity)
            {
                Rebuild(clock, room: 0); // under an eighth full: a smaller table
            }
        }

        prunedBefore = Math.Max(prunedBefore, oldest);
        latestHour = Math.Max(latestHour, clock.Hour);
    }

    /// <summary>
    /// Drops the ids that left the window where they lie, without a second table. Each id left is then
    /// taken out and put back, in probe order from a slot that was empty before any was dropped (so no
    /// probe chain runs across it), which closes the gaps the dropped ids left in the chains.
    /// </summary>
    private void DropExpired((long Hour, long MaxAge) clock)
    {
        var start = 0;
        while (slots[start].Low != 0)
        {
            start++; // never full: at most three quarters
        }

        var dropped = 0;
        for (var at = 0; at < slots.Length; at++)
        {
            if (slots[at].Low != 0 && !InWindow(slots[at], clock))
            {
                slots[at] = default;
                dropped++;
            }
        }

        if (dropped == 0)
        {
            return;
        }

        var mask = slots.Length - 1;
        for (var step = 1; step < slots.Length; step++)
        {
            var at = (start + step) & mask;
            var slot = slots[at];
            if (slot.Low != 0)
            {
                slots[at] = default;
                slots[Probe(slots, slot.High, slot.Low & ~HourBits)] = slot;
            }
        }

        count -= dropped;
    }

    /// <summary>Moves the ids still in the window into a table sized for them and <paramref name="room"/> more.</summary>
    private void Rebuild((long Hour, long MaxAge) clock, int room)
    {
        var kept = 0;
        for (var at = 0; at < slots.Length; at++)
        {
            if (slots[at].Low != 0 && InWindow(slots[at], clock))
            {
                kept++;
            }
        }

        // Half full at most after a rebuild, so that growing by doubling keeps between 3/8 and 3/4 of the slots used.
        var capacity = (int)Math.Max(MinCapacity, BitOperations.RoundUpToPowerOf2((uint)(kept + room) * 2));
        if (kept == count && capacity == slots.Length)
        {
            return;
        }

        var table = new SlotTable(capacity);
        for (var at = 0; at < slots.Length; at++)
        {
            var slot = slots[at];
            if (slot.Low != 0 && InWindow(slot, clock))
            {
                table[Probe(table, slot.High, slot.Low & ~HourBits)] = slot;
            }
        }

        Replace(table);
        count = kept;
    }

    private void Replace(SlotTable table)
    {
        var old = slots;
        slots = table;
        old.Dispose();
    }

    /// <summary>Frees the table; the index answers no call after this.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            slots.Dispose();
        }
    }

    /// <summary>
    /// Slots in zeroed native memory (a power of two of them), freed by <see cref="Dispose"/> or, for an index
    /// never disposed, by the finalizer. Large tables are mapped pages of their own, untouched until written.
    /// </summary>
    private sealed unsafe class SlotTable : IDisposable
    {
        public static readonly int SlotBytes = sizeof(Slot);

        private Slot* slots;

        public SlotTable(int length)
        {
            slots = (Slot*)NativeMemory.AllocZeroed((nuint)length, (nuint)sizeof(Slot));
            Length = length;
        }

        ~SlotTable() => Free();

        public int Length { get; private set; }

        public ref Slot this[int at] => ref Span[at];

        public Span<Slot> Span => new(slots, Length);

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        private void Free()
        {
            NativeMemory.Free(slots);
            slots = null;
            Length = 0;
        }
    }

    /// <summary>One id: the top 64 bits of its key; then 15 more, the used bit and the commit hour's low 16 bits, packed in 12 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot(ulong high, uint low)
    {
        public readonly ulong High = high;
        public readonly uint Low = low;
    }
}
