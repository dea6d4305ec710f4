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
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 10, 30, 0, TimeSpan.Zero));
        var index = new DedupIndex(TimeSpan.FromHours(24), clock);
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
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        var index = new DedupIndex(TimeSpan.FromHours(2), clock);
        var key = DedupIndex.Key("w", "e");

        index.Add([key], clock.Now.UtcDateTime);
        clock.Now = clock.Now.AddHours(2);
        index.Add([key], clock.Now.UtcDateTime);
        clock.Now = clock.Now.AddHours(1.5);

        Assert.That(index.Contains(key), Is.True);
    }
}
