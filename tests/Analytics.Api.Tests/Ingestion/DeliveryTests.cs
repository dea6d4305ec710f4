using System.Text;
using Analytics.Api.Ingestion;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>
/// Delivery guarantees under trouble: the real engine is made to refuse inserts by renaming the
/// events table away, then given it back.
/// </summary>
[NonParallelizable]
public sealed class DeliveryTests
{
    private const string Workspace = "ws-delivery";

    [Test]
    public async Task AnInsertThatFailsAndIsRetried_LandsExactlyOnce()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("delivery_retry");
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        await using var connection = await factory.OpenConnectionAsync();

        await connection.ExecuteAsync("RENAME TABLE events TO events_away");
        var pending = client.PostAsync("/v1/events", Events.Ndjson(Events.Line("r-1"), Events.Line("r-2")));
        await Task.Delay(150); // the first attempt has failed by now; the writer is backing off
        await connection.ExecuteAsync("RENAME TABLE events_away TO events");
        var body = await (await pending).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'r-%'"), Is.EqualTo(2UL));
    }

    [Test]
    public async Task AnInsertThatFailsPartWay_IsCompletedByItsRetry_InTheTablesThatLackedIt_AndNoOther()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("delivery_part_way", new() { ["Analytics:Ingestion:InsertAttempts"] = "6" });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        await using var connection = await factory.OpenConnectionAsync();

        // One more view on events, which fails the insert while the set `armed` holds 1: the engine has then written
        // the block to events and to some of the rollups (the views run side by side), not to all of them.
        await connection.ExecuteAsync("CREATE TABLE armed (x UInt8) ENGINE = Set");
        await connection.ExecuteAsync("CREATE TABLE fault_sink (x UInt8) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 1000");
        await connection.ExecuteAsync("CREATE MATERIALIZED VIEW fault_mv TO fault_sink AS SELECT throwIf(toUInt8(1) IN armed, 'armed fault') AS x FROM events");
        await connection.ExecuteAsync("INSERT INTO armed VALUES (1)");

        string[] lines =
        [
            Events.Line("pw-1", user: "u1", prompt: "p1", cost: 0.5m, extra: "\"product_id\":\"11111111-1111-1111-1111-111111111111\",\"user_email\":\"u1@example.com\""),
            Events.Line("pw-2", user: "u2", prompt: "p1", cost: 0.25m, extra: "\"product_id\":\"11111111-1111-1111-1111-111111111111\""),
            Events.Line("pw-3", timestamp: "2026-02-01T10:00:00Z", user: "u2", prompt: "p2", cost: 1m), // another month: a part of its own
        ];
        var pending = client.PostAsync("/v1/events", Events.Ndjson(lines));
        Assert.That(async () => await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'pw-%'"),
            Is.EqualTo(3UL).After(10_000, 5), "the failed attempt wrote the block to events");
        await connection.ExecuteAsync("TRUNCATE TABLE armed");
        var response = await pending;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());

        var w = new DynamicParameters(new { w = Workspace }) { RemoveUnused = false };
        Assert.Multiple(async () =>
        {
            Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'pw-%'"), Is.EqualTo(3UL), "events: once each");
            Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM fault_sink"), Is.EqualTo(3UL), "the failing view, once its fault is gone: once each");
            Assert.That((await connection.QueryAsync<string>("SELECT toString((prompt_id, sum(calls), sum(cost))) FROM prompt_daily WHERE workspace_id = {w:String} GROUP BY prompt_id ORDER BY prompt_id", w)).ToList(),
                Is.EqualTo(new[] { "('p1',2,0.75)", "('p2',1,1)" }), "prompt_daily");
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT sum(prompts) FROM product_user_daily WHERE workspace_id = {w:String}", w), Is.EqualTo(2), "product_user_daily");
            Assert.That((await connection.QueryAsync<string>("SELECT toString((user_id, sum(queries), sum(credits))) FROM user_institution_daily WHERE workspace_id = {w:String} GROUP BY user_id ORDER BY user_id", w)).ToList(),
                Is.EqualTo(new[] { "('u1',1,1)", "('u2',2,2)" }), "user_institution_daily");
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT substring(max(user_email), 24) FROM user_profiles_sent WHERE workspace_id = {w:String} AND user_id = 'u1'", w),
                Is.EqualTo("u1@example.com"), "user_profiles_sent");
        });
    }

    [Test]
    public async Task DuringAnOutage_WaitingCallersGet503_OthersAreSpooled_AndReplayedInOrderAfterRecovery()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("delivery_outage", new()
        {
            ["Analytics:Ingestion:InsertAttempts"] = "2",
            ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.200",
        });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        await using var connection = await factory.OpenConnectionAsync();
        var writer = factory.Services.GetRequiredService<EventWriter>();

        await connection.ExecuteAsync("RENAME TABLE events TO events_away");
        var waiting = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("o-wait")));
        var spooled1 = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("o-1"), Events.Line("o-2")));
        var spooled2 = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("o-3"), Events.Line("o-1")));
        Assert.That(() => writer.Spool.Count, Is.GreaterThanOrEqualTo(1).After(10_000, 50), "the batches wait in the spool");
        var refusedWhileSpooled = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("o-wait-2")));

        Assert.Multiple(() =>
        {
            Assert.That(waiting.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(waiting.Headers.RetryAfter, Is.Not.Null);
            Assert.That(refusedWhileSpooled.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(spooled1.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(spooled2.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        });

        await connection.ExecuteAsync("RENAME TABLE events_away TO events");

        Assert.That(() => writer.Spool.Count, Is.Zero.After(10_000, 50), "the spool drains once the table is back");
        var stored = (await connection.QueryAsync<(string Id, DateTime IngestedAt)>(
            "SELECT event_id, ingested_at FROM events WHERE event_id LIKE 'o-%' ORDER BY ingested_at, event_id")).ToList();
        Assert.That(stored.Select(s => s.Id), Is.EqualTo(new[] { "o-1", "o-2", "o-3" }), "o-1 counted once; the waiting callers' events were not stored");
        Assert.That(stored[0].IngestedAt, Is.LessThanOrEqualTo(stored[2].IngestedAt), "batches replay in arrival order");
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT sum(calls) FROM prompt_daily WHERE workspace_id = {w:String}", new DynamicParameters(new { w = Workspace }) { RemoveUnused = false }),
            Is.EqualTo(3UL), "the rollups saw the replayed events too");
    }

    [Test]
    public async Task TheSpool_SurvivesARestartOfTheService()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Analytics:Ingestion:InsertAttempts"] = "1",
            ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.200",
        };
        var first = await AnalyticsFactory.StartFreshAsync("delivery_restart", settings);
        var key = await first.CreateKeyAsync(Workspace, ["ingest"]);
        await using var connection = await first.OpenConnectionAsync();
        await connection.ExecuteAsync("RENAME TABLE events TO events_away");
        using (var client = first.CreateClient(key))
        {
            await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("s-1"), Events.Line("s-2")));
            Assert.That(() => first.Services.GetRequiredService<EventWriter>().Spool.Count, Is.EqualTo(1).After(10_000, 50));
        }

        await first.DisposeAsync();
        await connection.ExecuteAsync("RENAME TABLE events_away TO events");

        await using var second = new AnalyticsFactory("delivery_restart", settings);
        _ = second.Server;
        Assert.That(
            async () => await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 's-%'"),
            Is.EqualTo(2UL).After(10_000, 100));
    }

    [Test]
    public async Task AStartWhileIdsCannotBeLoaded_HoldsEventsBack_UntilTheCommittedIdsAreKnown()
    {
        var settings = new Dictionary<string, string?> { ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.200" };
        var first = await AnalyticsFactory.StartFreshAsync("delivery_startup", settings);
        var key = await first.CreateKeyAsync(Workspace, ["ingest"]);
        using (var client = first.CreateClient(key))
        {
            (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("u-1")))).EnsureSuccessStatusCode();
        }

        await first.DisposeAsync();
        await using var connection = await first.OpenConnectionAsync();
        await connection.ExecuteAsync("RENAME TABLE events TO events_away");

        await using var second = new AnalyticsFactory("delivery_startup", settings);
        using var again = second.CreateClient(key);
        var resent = await again.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("u-1"), Events.Line("u-2")));
        var writer = second.Services.GetRequiredService<EventWriter>();
        await Task.Delay(600); // several failed attempts to load the ids
        Assert.Multiple(() =>
        {
            Assert.That(resent.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(writer.Ready.IsCompleted, Is.False, "the writer cannot know the committed ids yet");
            Assert.That(writer.Buffered, Is.EqualTo(2), "the events wait in the buffer");
        });

        await connection.ExecuteAsync("RENAME TABLE events_away TO events");
        await second.WriterReadyAsync();
        Assert.That(
            async () => await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'u-%'"),
            Is.EqualTo(2UL).After(10_000, 100), "u-1 was committed before the restart and is not stored again");
    }

    [Test]
    public async Task ABlockLeftInFlight_IsCompletedAtTheNextStart_InTheTablesThatLackedIt()
    {
        // As a process killed during an insert leaves things: the block in the journal, in events and not yet in the rollups.
        var first = await AnalyticsFactory.StartFreshAsync("delivery_in_flight");
        using var parsed = EventParser.Parse(Encoding.UTF8.GetBytes(Events.Line("if-1", prompt: "p-if") + "\n" + Events.Line("if-2", prompt: "p-if") + "\n"), json: false, Workspace).Events;
        using var block = EventTable.Block([new EventRows(parsed, null)], DateTime.UtcNow)!;
        await using (var connection = await first.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("DETACH TABLE prompt_daily_mv");
            await EventTable.InsertAsync(connection, block.WrittenMemory, "batch-in-flight", [], CancellationToken.None);
            await connection.ExecuteAsync("ATTACH TABLE prompt_daily_mv");
        }

        await first.DisposeAsync();
        await new InsertJournal(first.SpoolPath).WriteAsync("batch-in-flight", block.WrittenMemory, CancellationToken.None);

        await using var second = new AnalyticsFactory("delivery_in_flight");
        await second.WriterReadyAsync();
        await using var check = await second.OpenConnectionAsync();
        var w = new DynamicParameters(new { w = Workspace }) { RemoveUnused = false };
        Assert.Multiple(async () =>
        {
            Assert.That(await check.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'if-%'"), Is.EqualTo(2UL), "events had the block: skipped");
            Assert.That(await check.ExecuteScalarAsync<long>("SELECT sum(calls) FROM prompt_daily WHERE workspace_id = {w:String} AND prompt_id = 'p-if'", w), Is.EqualTo(2), "prompt_daily lacked it: taken");
            Assert.That(await check.ExecuteScalarAsync<long>("SELECT sum(queries) FROM user_institution_daily WHERE workspace_id = {w:String}", w), Is.EqualTo(2), "user_institution_daily had it: skipped");
            Assert.That(new InsertJournal(second.SpoolPath).Read(), Is.Null, "nothing is in flight any more");
        });
    }

    [Test]
    public async Task ABlockLeftInFlight_ThatTheEngineRefuses_IsSetAside_AndIngestionGoesOn()
    {
        var first = await AnalyticsFactory.StartFreshAsync("delivery_in_flight_refused");
        await first.DisposeAsync();
        // A Native block cut short: it says five rows of event_id and holds one.
        using var damaged = new Analytics.ClickHouse.Formats.NativeWriter();
        damaged.WriteVarUInt(1);
        damaged.WriteVarUInt(5);
        damaged.WriteString("event_id");
        damaged.WriteString("String");
        damaged.WriteString("x");
        await new InsertJournal(first.SpoolPath).WriteAsync("batch-refused", damaged.WrittenMemory, CancellationToken.None);

        await using var second = new AnalyticsFactory("delivery_in_flight_refused");
        await second.WriterReadyAsync();
        using var client = second.CreateClient(await second.CreateKeyAsync(Workspace, ["ingest"]));
        var response = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("after-refused")));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Directory.GetFiles(second.SpoolPath, "in-flight.block.refused-*"), Has.Length.EqualTo(1), "the refused block is kept for a look");
            Assert.That(new InsertJournal(second.SpoolPath).Read(), Is.Null);
        });
    }

    [Test]
    public async Task ASpooledEventOutsideTheTimestampRange_IsQuarantinedOnReplay_AndTheRestStored()
    {
        // A batch spooled by a version that did not check the range waits in the spool across an upgrade.
        var first = await AnalyticsFactory.StartFreshAsync("delivery_spool_range");
        await first.DisposeAsync();
        EventRecord Spooled(string id, DateTime at) => new() { WorkspaceId = Workspace, EventId = id, Timestamp = at, UserId = "u-spool", PromptId = "p-spool" };
        await new EventSpool(first.SpoolPath).WriteAsync(new EventSpool.Batch(
            [Spooled("sr-in", new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc)), Spooled("sr-out", new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc))], []),
            CancellationToken.None);

        await using var second = new AnalyticsFactory("delivery_spool_range", new() { ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.100" });
        await second.WriterReadyAsync();
        var spool = second.Services.GetRequiredService<EventWriter>().Spool;
        Assert.That(() => spool.IsEmpty, Is.True.After(10_000, 50), "the batch is replayed");

        await using var connection = await second.OpenConnectionAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await connection.QueryAsync<string>("SELECT event_id FROM events"), Is.EqualTo(new[] { "sr-in" }));
            Assert.That(await connection.QueryAsync<string>("SELECT toString(day) FROM prompt_daily"), Is.EqualTo(new[] { "2026-01-15" }));
            var quarantined = await connection.QuerySingleAsync<(string Raw, string Reason)>("SELECT raw, reason FROM quarantine");
            Assert.That(quarantined.Raw, Does.Contain("sr-out").And.Contain("2200-01-01"));
            Assert.That(quarantined.Reason, Is.EqualTo(EventParser.TimestampOutOfRange));
        });
    }

    [Test]
    public async Task ShutDown_DrainsTheBuffer_AndIdsAreStillKnownAfterRestart()
    {
        var settings = new Dictionary<string, string?> { ["Analytics:Ingestion:FlushInterval"] = "00:00:30" };
        var first = await AnalyticsFactory.StartFreshAsync("delivery_drain", settings);
        var key = await first.CreateKeyAsync(Workspace, ["ingest"]);
        using (var client = first.CreateClient(key))
        {
            var response = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("g-1"), Events.Line("g-2"), Events.Line("g-3")));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        // The writer is holding the batch open for 30 s; stopping the host must flush it now.
        await first.DisposeAsync();
        await using var second = new AnalyticsFactory("delivery_drain");
        using var again = second.CreateClient(key);
        var resent = await (await again.PostAsync("/v1/events", Events.Ndjson(Events.Line("g-1"), Events.Line("g-4")))).JsonAsync();

        await using var connection = await second.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'g-%'"), Is.EqualTo(4UL));
        Assert.That((resent.GetProperty("accepted").GetInt32(), resent.GetProperty("duplicates").GetInt32()), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task IdsCommittedWithinTheWindow_AreKnownAfterARestart_InEachWorkspace_WhateverTheirCharacters()
    {
        // Ids with a quote (escaped in the line's JSON), non-Latin and astral characters, and the longest allowed.
        string[] ids = ["plain-1", "qu\\\"ote", "\u00fcber-caf\u00e9", "\u65e5\u672c-\ud83d\ude80", new string('z', 64)];
        var first = await AnalyticsFactory.StartFreshAsync("delivery_reload");
        var keys = new[] { await first.CreateKeyAsync("ws-reload-a", ["ingest"]), await first.CreateKeyAsync("ws-reload-b", ["ingest"]) };
        foreach (var key in keys)
        {
            using var client = first.CreateClient(key);
            var body = await (await client.PostAsync("/v1/events", Events.Ndjson([.. ids.Select(id => Events.Line(id))]))).JsonAsync();
            Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(ids.Length));
        }

        // Committed two days ago, before the 24-hour window.
        await using (var connection = await first.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO events (workspace_id, event_id, timestamp, user_id, ingested_at) VALUES ('ws-reload-a', 'long-ago', now64(3), 'u1', now64(3) - INTERVAL 2 DAY)");
        }

        await first.DisposeAsync();
        await using var second = new AnalyticsFactory("delivery_reload");
        await second.WriterReadyAsync();
        Assert.That(second.Services.GetRequiredService<EventWriter>().Dedup.Count, Is.EqualTo(2 * ids.Length), "the ids of both workspaces, and not the one from before the window");

        var answers = new List<(int Accepted, int Duplicates)>();
        foreach (var key in keys)
        {
            using var again = second.CreateClient(key);
            var body = await (await again.PostAsync("/v1/events", Events.Ndjson([.. ids.Append("long-ago").Append("new").Select(id => Events.Line(id))]))).JsonAsync();
            answers.Add((body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32()));
        }

        Assert.That(answers, Is.EqualTo(new[] { (2, ids.Length), (2, ids.Length) }), "a stores again the id it committed before the window, b stores it for the first time, and both the new one");
    }

    [Test]
    public async Task MoreIdsThanOneLoadingChunk_AreAllKnownAfterARestart()
    {
        // Written straight into the table, 150,000 ids: more than two of the writer's loading chunks.
        var first = await AnalyticsFactory.StartFreshAsync("delivery_reload_many");
        var key = await first.CreateKeyAsync("ws-many", ["ingest"]);
        await using (var connection = await first.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO events (workspace_id, event_id, timestamp, user_id, ingested_at) " +
                "SELECT 'ws-many', concat('m-', toString(number)), now64(3), 'u1', now64(3) FROM numbers(150000)");
        }

        await first.DisposeAsync();
        await using var second = new AnalyticsFactory("delivery_reload_many");
        await second.WriterReadyAsync();
        using var client = second.CreateClient(key);
        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("m-0"), Events.Line("m-65536"), Events.Line("m-149999"), Events.Line("m-150000")))).JsonAsync();

        Assert.That(second.Services.GetRequiredService<EventWriter>().Dedup.Count, Is.EqualTo(150_001));
        Assert.That((body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32()), Is.EqualTo((1, 3)));
    }

    [Test]
    public async Task ADedupWindowOverAYear_StopsTheStart_NamingTheSetting()
    {
        await using var factory = new AnalyticsFactory("delivery_window", new() { ["Analytics:Ingestion:DedupWindow"] = "400.00:00:00" });

        Assert.That(() => factory.CreateClient(), Throws.InstanceOf<InvalidOperationException>().With.Message.Contains("Analytics:Ingestion:DedupWindow is 400.00:00:00"));
    }

    [Test]
    public async Task AFloodedBuffer_Answers429WithRetryAfter_AndStaysBounded()
    {
        const int capacity = 20;
        await using var factory = await AnalyticsFactory.StartFreshAsync("delivery_flood", new()
        {
            ["Analytics:Ingestion:BufferCapacity"] = capacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Analytics:Ingestion:InsertAttempts"] = "6",
        });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        await using var connection = await factory.OpenConnectionAsync();
        var writer = factory.Services.GetRequiredService<EventWriter>();

        // With the table away, the writer is stuck retrying, so admitted events stay buffered.
        await connection.ExecuteAsync("RENAME TABLE events TO events_away");
        var statuses = new List<HttpStatusCode>();
        var peak = 0L;
        for (var i = 0; i < 10; i++)
        {
            var response = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Enumerable.Range(0, 5).Select(j => Events.Line($"f-{i}-{j}")).ToArray()));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            }

            peak = Math.Max(peak, writer.Buffered);
        }

        await connection.ExecuteAsync("RENAME TABLE events_away TO events");

        Assert.That(statuses, Has.Member(HttpStatusCode.TooManyRequests));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Accepted), Is.LessThanOrEqualTo(capacity / 5 + 1));
        Assert.That(peak, Is.LessThanOrEqualTo(capacity));
        var accepted = statuses.Count(s => s == HttpStatusCode.Accepted) * 5;
        Assert.That(
            async () => await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'f-%'"),
            Is.EqualTo((ulong)accepted).After(15_000, 100), "every admitted event is stored once the table is back");
    }
}
