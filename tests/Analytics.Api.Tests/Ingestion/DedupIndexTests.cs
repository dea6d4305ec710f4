using Analytics.Api.Ingestion;

namespace Analytics.Api.Tests.Ingestion;

public sealed class DedupIndexTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Test]
    public void Keys_DependOnTheWorkspaceAndTheId()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DedupIndex.Key("w1", "e1"), Is.EqualTo(DedupIndex.Key(new string(['w', '1']), "e1")));
            Assert.That(DedupIndex.Key("w1", "e1"), Is.Not.EqualTo(DedupIndex.Key("w2", "e1")));
            Assert.That(DedupIndex.Key("w1", "e1"), Is.Not.EqualTo(DedupIndex.Key("w1", "e2")));
            Assert.That(DedupIndex.Key("w1e", "1"), Is.Not.EqualTo(DedupIndex.Key("w1", "e1")));
        });
    }

    [Test]
    public void AnId_IsKnownForTheWindow_ThenForgotten()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 10, 30, 0, TimeSpan.Zero), windowHours: 24);
        var early = DedupIndex.Key("w", "early");
        var late = DedupIndex.Key("w", "late");

        index.Add([early], clock.Now.UtcDateTime);
        clock.Now = clock.Now.AddHours(12);
        index.Add([late], clock.Now.UtcDateTime);
        Assert.Multiple(() =>
        {
            Assert.That(index.Contains(early), Is.True);
            Assert.That(index.Contains(late), Is.True);
            Assert.That(index.Contains(DedupIndex.Key("w", "never")), Is.False);
        });

        // A day and an hour after the first commit: it left the window; the later one has not.
        clock.Now = clock.Now.AddHours(13);
        Assert.Multiple(() =>
        {
            Assert.That(index.Contains(early), Is.False);
            Assert.That(index.Contains(late), Is.True);
        });

        // The next commit drops what left the window from memory.
        index.Add([DedupIndex.Key("w", "next")], clock.Now.UtcDateTime);
        Assert.That(index.Count, Is.EqualTo(2));
    }

    [Test]
    public void CommittingAnIdAgain_RestartsItsWindow()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), windowHours: 2);
        var key = DedupIndex.Key("w", "e");

        index.Add([key], clock.Now.UtcDateTime);
        clock.Now = clock.Now.AddHours(2);
        index.Add([key], clock.Now.UtcDateTime);
        clock.Now = clock.Now.AddHours(1.5);

        Assert.That(index.Contains(key), Is.True);
    }

    [Test]
    public void ManyIds_AreAllFound_InAtMostFortyThreeBytesEach()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), windowHours: 24);
        var added = Enumerable.Range(0, 100_000).Select(i => DedupIndex.Key("w", $"e-{i}")).ToList();

        // In several commits, so that the table grows between and during them.
        foreach (var chunk in added.Chunk(7_000))
        {
            index.Add(chunk, clock.Now.UtcDateTime);
        }

        Assert.Multiple(() =>
        {
            Assert.That(index.Count, Is.EqualTo(100_000));
            Assert.That(added.Count(index.Contains), Is.EqualTo(100_000));
            Assert.That(Enumerable.Range(0, 100_000).Count(i => index.Contains(DedupIndex.Key("w", $"other-{i}"))), Is.Zero);
            Assert.That(index.MemoryBytes, Is.LessThanOrEqualTo(100_000 * 12 * 8 / 3), "the table stays at least 3/8 full, 12 bytes a slot");
        });
    }

    [Test]
    public void IdsThatShareTheirHomeSlot_AreToldApart_AcrossTheEndOfTheTable()
    {
        // The slot comes from the top 64 bits: all of these start in the table's last slot and wrap around.
        var index = new DedupIndex(TimeSpan.FromHours(24), TimeProvider.System);
        var crowded = Enumerable.Range(1, 3_000).Select(i => new UInt128(ulong.MaxValue, (ulong)i << 20)).ToList();

        index.Add(crowded.Where((_, i) => i % 2 == 0), DateTime.UtcNow);

        Assert.Multiple(() =>
        {
            Assert.That(index.Count, Is.EqualTo(1_500));
            Assert.That(crowded.Where((_, i) => i % 2 == 0).All(index.Contains), Is.True);
            Assert.That(crowded.Where((_, i) => i % 2 == 1).Any(index.Contains), Is.False);
        });

        // A whole request at once: the same answers, and how many were known.
        var known = new bool[crowded.Count];
        Assert.That(index.Find([.. crowded], known), Is.EqualTo(1_500));
        Assert.That(known, Is.EqualTo(crowded.Select((_, i) => i % 2 == 0)));
    }

    [Test]
    public void LoadedIds_KeepTheirOwnCommitHour()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), windowHours: 24);
        var now = DedupIndex.HourOf(clock.Now.UtcDateTime);
        var (old, recent, twice, stale, future) = (Key("old"), Key("recent"), Key("twice"), Key("stale"), Key("future"));

        index.Add([(old, now - 20), (recent, now - 1), (twice, now - 2), (twice, now - 22), (stale, now - 30), (future, now + 5)]);
        Assert.Multiple(() =>
        {
            Assert.That(index.Count, Is.EqualTo(4), "the id committed 30 hours ago is outside the window and not kept");
            Assert.That(new[] { old, recent, twice, future }.All(index.Contains), Is.True);
            Assert.That(index.Contains(stale), Is.False);
        });

        // Five hours on, the id committed 20 hours before loading has left the window; the later commit of the
        // id loaded twice counts, whatever the order; a time ahead of the clock counted as the loading hour.
        clock.Now = clock.Now.AddHours(5);
        Assert.Multiple(() =>
        {
            Assert.That(index.Contains(old), Is.False);
            Assert.That(index.Contains(recent), Is.True);
            Assert.That(index.Contains(twice), Is.True);
            Assert.That(index.Contains(future), Is.True);
        });

        clock.Now = clock.Now.AddHours(20);
        Assert.That(index.Contains(future), Is.False);
    }

    [Test]
    public void PruningDropsExpiredIds_AndGivesTheMemoryBack()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), windowHours: 2);
        index.Add(Enumerable.Range(0, 50_000).Select(i => Key($"burst-{i}")), clock.Now.UtcDateTime);
        var afterBurst = index.MemoryBytes;

        clock.Now = clock.Now.AddHours(3);
        index.Add([Key("later")], clock.Now.UtcDateTime);

        Assert.Multiple(() =>
        {
            Assert.That(index.Count, Is.EqualTo(1));
            Assert.That(index.Contains(Key("later")), Is.True);
            Assert.That(index.Contains(Key("burst-7")), Is.False);
            Assert.That(index.MemoryBytes, Is.LessThan(afterBurst / 10));
        });
    }

    [Test]
    public void ADisposedIndex_HoldsNoMemory_AndRefusesEveryCall()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), windowHours: 2);
        index.Add(Enumerable.Range(0, 5_000).Select(i => Key($"id-{i}")), clock.Now.UtcDateTime);

        index.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(index.MemoryBytes, Is.Zero);
            Assert.That(() => index.Contains(Key("id-1")), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(() => index.Add([Key("new")], clock.Now.UtcDateTime), Throws.InstanceOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void PruningInPlace_LeavesTheRemainingIdsOfAChain_Findable()
    {
        // One long chain from the table's last slot around its end, committed alternately in two hours:
        // when the older hour leaves the window, every other slot of the chain empties.
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 1, 0, 0, TimeSpan.Zero), windowHours: 2);
        var now = DedupIndex.HourOf(clock.Now.UtcDateTime);
        var chain = Enumerable.Range(1, 600).Select(i => new UInt128(ulong.MaxValue, (ulong)i << 20)).ToList();
        index.Add(chain.Select((key, i) => (key, now - 1 + (i % 2))));
        var memory = index.MemoryBytes;

        clock.Now = clock.Now.AddHours(2);

        Assert.Multiple(() =>
        {
            Assert.That(chain.Where((_, i) => i % 2 == 1).All(index.Contains), Is.True);
            Assert.That(chain.Where((_, i) => i % 2 == 0).Any(index.Contains), Is.False);
            Assert.That(index.Count, Is.EqualTo(300));
            Assert.That(index.MemoryBytes, Is.EqualTo(memory), "pruned in place");
        });
    }

    [Test]
    public void PruningInPlace_ReseatsFromASlotThatWasEmptyBefore_NotOneItJustEmptied()
    {
        // In a table of 1,024 slots, ids by home slot and where they land:
        //   1021 old (home 1021), 1022 old (1021), 1023 z (1021), 0 old (1023), 1 x (1023), 2 empty.
        // Dropping the old ones empties 1021, 1022 and 0. Re-seated from slot 2, z moves to 1021 and x
        // to 1023; re-seated from slot 0, x would go to 0 before z left 1023, and then be lost behind it.
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 1, 0, 0, TimeSpan.Zero), windowHours: 2);
        var now = DedupIndex.HourOf(clock.Now.UtcDateTime);
        static UInt128 Homed(ulong home, ulong tag) => new(home, tag << 20);
        var (z, x) = (Homed(1021, 3), Homed(1023, 5));
        index.Add([(Homed(1021, 1), now - 1), (Homed(1021, 2), now - 1), (z, now), (Homed(1023, 4), now - 1), (x, now)]);

        clock.Now = clock.Now.AddHours(2);

        Assert.Multiple(() =>
        {
            Assert.That(index.Contains(z), Is.True);
            Assert.That(index.Contains(x), Is.True);
            Assert.That(index.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public void AfterPruning_ExactlyTheIdsStillInTheWindowAreKnown()
    {
        var (clock, index) = IndexAt(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), windowHours: 3);
        var now = DedupIndex.HourOf(clock.Now.UtcDateTime);
        var random = new Random(7);
        var committed = Enumerable.Range(0, 200_000).Select(i => (Key: Key($"r-{i}"), Hour: now - random.Next(0, 4))).ToList();
        index.Add(committed);

        // An hour on, ids committed three or more hours before loading have left the window.
        clock.Now = clock.Now.AddHours(1);
        var known = new bool[committed.Count];
        index.Find([.. committed.Select(c => c.Key)], known);

        Assert.That(known, Is.EqualTo(committed.Select(c => c.Hour >= now - 2)));
        Assert.That(index.Count, Is.EqualTo(committed.Count(c => c.Hour >= now - 2)));
    }

    [Test]
    public void AfterAQuietSpellOfExactlyTheHourCounter_AnOldIdIsNotMistakenForANewOne()
    {
        // Hours are kept modulo 2^16: an id committed 65,536 hours ago has the same stored hour as one committed now.
        var (clock, index) = IndexAt(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), windowHours: 24);
        index.Add([Key("ancient")], clock.Now.UtcDateTime);

        clock.Now = clock.Now.AddHours(65_536);

        Assert.Multiple(() =>
        {
            Assert.That(index.Contains(Key("ancient")), Is.False);
            Assert.That(index.Count, Is.Zero);
        });
    }

    [Test]
    public void AWindowOfZero_OrOverAYear_IsRefused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new DedupIndex(TimeSpan.Zero, TimeProvider.System), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new DedupIndex(DedupIndex.MaxWindow + TimeSpan.FromHours(1), TimeProvider.System), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new DedupIndex(DedupIndex.MaxWindow, TimeProvider.System), Throws.Nothing);
        });
    }

    private static UInt128 Key(string id) => DedupIndex.Key("w", id);

    private static (ManualClock Clock, DedupIndex Index) IndexAt(DateTimeOffset now, int windowHours)
    {
        var clock = new ManualClock(now);
        return (clock, new DedupIndex(TimeSpan.FromHours(windowHours), clock));
    }
}
