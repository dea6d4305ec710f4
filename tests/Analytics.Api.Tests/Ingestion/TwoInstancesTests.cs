#if SERVER_PATH && !SERVER_IMAGE
namespace Analytics.Api.Tests.Ingestion;

/// <summary>
/// Two instances of the service on one server and database, as an operator scaling out would run them.
/// De-duplication is per instance (each keeps the ids it committed in memory), so what this guards is the
/// documented rule: an event re-sent to the same instance is stored once; re-sent to the other, it is
/// stored again. The README tells operators to route each workspace to one instance.
/// </summary>
[NonParallelizable]
public sealed class TwoInstancesTests
{
    private const string Workspace = "ws-two-instances";

    [Test]
    public async Task AnEventReSentToTheOtherInstance_IsStoredAgain_ReSentToTheSameOne_IsNot()
    {
        await using var first = await AnalyticsFactory.StartFreshAsync("two_instances");
        await using var second = new AnalyticsFactory("two_instances");
        await second.WriterReadyAsync();
        var key = await first.CreateKeyAsync(Workspace, ["ingest"]);
        using var toFirst = first.CreateClient(key);
        using var toSecond = second.CreateClient(key);

        var sent = await (await toFirst.PostAsync("/v1/events", Events.Ndjson(Events.Line("ti-1")))).JsonAsync();
        var again = await (await toFirst.PostAsync("/v1/events", Events.Ndjson(Events.Line("ti-1")))).JsonAsync();
        var elsewhere = await (await toSecond.PostAsync("/v1/events", Events.Ndjson(Events.Line("ti-1")))).JsonAsync();

        await using var connection = await first.OpenConnectionAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(sent.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(again.GetProperty("duplicates").GetInt32(), Is.EqualTo(1), "the same instance knows the id");
            Assert.That(elsewhere.GetProperty("accepted").GetInt32(), Is.EqualTo(1), "the other instance does not");
            Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id = 'ti-1'"), Is.EqualTo(2UL));
        });
    }
}
#endif
