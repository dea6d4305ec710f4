using Analytics.Api.Tests.Features;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>
/// Analytics:Retention as TTLs: old raw events go with their partitions, rollups stay unless their own
/// retention says otherwise, and a restart with unchanged settings alters nothing.
/// </summary>
[NonParallelizable]
public sealed class RetentionTests
{
    private const string Name = "retention";
    private const string Workspace = "ws-retention";

    [Test]
    public async Task RawEventsExpire_RollupsStay_UntilTheirOwnRetention_AndNoneRemovesTheTtls()
    {
        // Stored before any retention was set (an insert into a table with a TTL already leaves out rows expired by it).
        string oldMonth;
        await using (var factory = await AnalyticsFactory.StartFreshAsync(Name))
        {
            using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
            var now = DateTime.UtcNow;
            Assert.That((await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("fresh", timestamp: now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture))))).StatusCode,
                Is.EqualTo(HttpStatusCode.OK));
            await using var connection = await factory.OpenConnectionAsync();

            // Stored 3 and 70 days ago, with those timestamps (the 70-day-old ones in a month partition of their own).
            await connection.ExecuteAsync(
                "INSERT INTO events (workspace_id, event_id, timestamp, user_id, prompt_id, ingested_at) " +
                "SELECT {workspace:String}, concat('old-', toString(number)), now64(3) - toIntervalDay(if(number < 2, 3, 70)), 'u1', 'p1', now64(3) - toIntervalDay(if(number < 2, 3, 70)) FROM numbers(4)",
                new DynamicParameters(new { workspace = Workspace }) { RemoveUnused = false });
            oldMonth = (await connection.ExecuteScalarAsync<string>("SELECT toString(toYYYYMM(now64(3) - toIntervalDay(70)))"))!;
            Assert.That(await PartitionsAsync(connection, "events"), Does.Contain(oldMonth), "arranged: the old month has a partition");
            Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE workspace_id = 'ws-retention'"), Is.EqualTo(5UL), "arranged");
        }

        await using (var factory = new AnalyticsFactory(Name, new() { ["Analytics:Retention:RawEvents"] = "1.00:00:00" }))
        {
            _ = factory.Server;
            await using var connection = await factory.OpenConnectionAsync();
            await connection.ExecuteAsync("OPTIMIZE TABLE events FINAL");

            Assert.Multiple(async () =>
            {
                Assert.That(await connection.QueryAsync<string>("SELECT event_id FROM events WHERE workspace_id = 'ws-retention'"), Is.EqualTo(new[] { "fresh" }));
                Assert.That(await PartitionsAsync(connection, "events"), Does.Not.Contain(oldMonth), "the old month's partition is gone");
                Assert.That(await RollupCallsAsync(connection), Is.EqualTo(5), "the rollups still count every event");
                Assert.That(await CreateQueryAsync(connection, "events"), Does.Contain("TTL"));
                Assert.That(await CreateQueryAsync(connection, "prompt_daily"), Does.Not.Contain("TTL"));
            });
        }

        await using (var again = new AnalyticsFactory(Name, new() { ["Analytics:Retention:RawEvents"] = "1.00:00:00" }))
        {
            _ = again.Server;
            await using var connection = await again.OpenConnectionAsync();
            Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM retention_applied"), Is.EqualTo(1UL), "unchanged settings: nothing applied again");
        }

        await using (var rollups = new AnalyticsFactory(Name, new() { ["Analytics:Retention:RawEvents"] = "1.00:00:00", ["Analytics:Retention:Rollups"] = "30.00:00:00" }))
        {
            _ = rollups.Server;
            await using var connection = await rollups.OpenConnectionAsync();
            foreach (var table in new[] { "prompt_daily", "product_user_daily", "user_institution_daily" })
            {
                await connection.ExecuteAsync($"OPTIMIZE TABLE {table} FINAL");
            }

            Assert.Multiple(async () =>
            {
                Assert.That(await RollupCallsAsync(connection), Is.EqualTo(3), "the 70-day-old days are gone, the 3-day-old ones stay");
                Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM user_institution_daily WHERE workspace_id = 'ws-retention' AND day < today() - 30"), Is.Zero);
                Assert.That(await CreateQueryAsync(connection, "user_institution_daily"), Does.Contain("TTL"));
            });
        }

        await using (var forever = new AnalyticsFactory(Name))
        {
            _ = forever.Server;
            await using var connection = await forever.OpenConnectionAsync();
            Assert.Multiple(async () =>
            {
                Assert.That(await CreateQueryAsync(connection, "events"), Does.Not.Contain("TTL"), "unset again: kept forever");
                Assert.That(await CreateQueryAsync(connection, "prompt_daily"), Does.Not.Contain("TTL"));
            });
        }
    }

    [Test]
    public async Task ForgettingAfterRawEventsExpired_NegatesOnlyTheDaysStillStored_AndRebuildsProfilesFromWhatIsLeft()
    {
        const string Forget = "retention_forget";
        await using (var factory = await AnalyticsFactory.StartFreshAsync(Forget))
        {
            await using var connection = await factory.OpenConnectionAsync();
            await connection.ExecuteAsync(
                "INSERT INTO events (workspace_id, event_id, timestamp, user_id, user_email, prompt_id, history_id, ingested_at) VALUES " +
                "('ws-retention', 'f-old-keep', now64(3) - INTERVAL 70 DAY, 'u1', 'ada@old.io', 'p1', 'h-keep', now64(3) - INTERVAL 70 DAY), " +
                "('ws-retention', 'f-old-forget', now64(3) - INTERVAL 70 DAY, 'u1', '', 'p1', 'h-forget', now64(3) - INTERVAL 70 DAY), " +
                "('ws-retention', 'f-new-forget', now64(3), 'u1', '', 'p1', 'h-forget', now64(3)), " +
                "('ws-retention', 'f-new-keep', now64(3), 'u1', '', 'p1', 'h-keep', now64(3))");
            Assert.That(await EmailAsync(connection), Is.EqualTo("ada@old.io"), "arranged: the email sent 70 days ago is the latest");
        }

        await using (var factory = new AnalyticsFactory(Forget, new() { ["Analytics:Retention:RawEvents"] = "1.00:00:00" }))
        {
            _ = factory.Server;
            await using var connection = await factory.OpenConnectionAsync();
            await connection.ExecuteAsync("OPTIMIZE TABLE events FINAL");
            Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events"), Is.EqualTo(2UL), "arranged: the 70-day-old events expired");

            await factory.ForgetAsync(Workspace, "h-forget");

            Assert.Multiple(async () =>
            {
                Assert.That(await CallsAsync(connection, "day = today() - 70"), Is.EqualTo(2),
                    "the expired day still counts the forgotten history: there was no raw event left to negate");
                Assert.That(await CallsAsync(connection, "day >= today() - 1"), Is.EqualTo(1), "the stored day no longer counts it");
                Assert.That(await EmailAsync(connection), Is.Empty,
                    "the profile is rebuilt from the events left: an email only an expired event sent is gone, whatever its history");
            });
        }
    }

    [Test]
    public void ARawRetentionShorterThanTheDedupWindow_IsRefused() =>
        Assert.That(() => Analytics.Api.Infrastructure.RetentionMigrator.Expressions(new RetentionOptions { RawEvents = TimeSpan.FromHours(1) }, TimeSpan.FromDays(1)),
            Throws.InvalidOperationException.With.Message.Contains("DedupWindow"));

    [Test]
    public async Task ARawRetentionShorterThanTheDedupWindow_StopsTheStart_NamingBothSettings()
    {
        await using var factory = new AnalyticsFactory("retention_refused", new() { ["Analytics:Retention:RawEvents"] = "01:00:00" });

        Assert.That(
            () => factory.CreateClient(),
            Throws.InvalidOperationException.With.Message.Contains("Analytics:Retention:RawEvents is 01:00:00").And.Message.Contains("Analytics:Ingestion:DedupWindow (1.00:00:00)"));
    }

    private static Task<long> CallsAsync(ClickHouse.ADO.ClickHouseConnection connection, string days) =>
        connection.ExecuteScalarAsync<long>($"SELECT sum(calls) FROM prompt_daily WHERE workspace_id = 'ws-retention' AND {days}");

    private static Task<string?> EmailAsync(ClickHouse.ADO.ClickHouseConnection connection) =>
        connection.ExecuteScalarAsync<string>("SELECT substring(max(user_email), 24) FROM user_profiles_sent WHERE workspace_id = 'ws-retention' AND user_id = 'u1'");

    private static async Task<List<string>> PartitionsAsync(ClickHouse.ADO.ClickHouseConnection connection, string table) =>
        (await connection.QueryAsync<string>(
            "SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = {table:String} AND active AND rows > 0",
            new DynamicParameters(new { table }) { RemoveUnused = false })).ToList();

    private static Task<long> RollupCallsAsync(ClickHouse.ADO.ClickHouseConnection connection) =>
        connection.ExecuteScalarAsync<long>("SELECT sum(calls) FROM prompt_daily WHERE workspace_id = 'ws-retention'");

    private static Task<string?> CreateQueryAsync(ClickHouse.ADO.ClickHouseConnection connection, string table) =>
        connection.ExecuteScalarAsync<string>(
            "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = {table:String}",
            new DynamicParameters(new { table }) { RemoveUnused = false });
}
