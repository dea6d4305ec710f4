using Analytics.ClickHouse.Transport;

namespace Analytics.ClickHouse.Tests.Transport;

public sealed class PendingStopsTests
{
    [Test]
    public async Task AWaiter_GoesOnWhenTheStopEnds_EvenIfTheStopFailed()
    {
        var stops = new PendingStops();
        var stop = new TaskCompletionSource();
        _ = stops.Track("q-1", stop.Task);

        var waiting = stops.WaitAsync("q-1").AsTask();
        var other = stops.WaitAsync("q-2").AsTask();
        Assert.Multiple(() =>
        {
            Assert.That(waiting.IsCompleted, Is.False, "the id being stopped waits");
            Assert.That(other.IsCompletedSuccessfully, Is.True, "another id does not");
        });

        stop.SetException(new InvalidOperationException("the KILL itself failed"));

        Assert.That(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(10)), Throws.Nothing);
    }
}
