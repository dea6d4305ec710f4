using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.ClickHouse.Tests.Copy;

[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
public sealed class BulkWriterTests(string engine)
{
    private ClickHouseConnection? connection;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open() => connection = await TestEngines.OpenDatabaseAsync(engine, nameof(BulkWriterTests) + "_" + engine);

    [OneTimeTearDown]
    public async Task Close()
    {
        // Null when the fixture was skipped for want of a server.
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    [Test]
    public async Task OneMillionRows_ArriveWithExactSums()
    {
        await Connection.ExecuteAsync("""
            CREATE TABLE events_1m (
                id UInt64, user LowCardinality(String), cost Decimal(18, 6), tokens Nullable(UInt32), at DateTime64(3, 'UTC'))
            ENGINE = MergeTree ORDER BY id
            """);
        const int count = 1_000_000;
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var written = await Connection.CreateBulkWriter("events_1m", ["id", "user", "cost", "tokens", "at"]).WriteAsync(
            Enumerable.Range(0, count).Select(i => new object?[]
            {
                (ulong)i, "user-" + (i % 1000), i % 100 * 0.000001m + 1, i % 10 == 0 ? null : (uint)i, start.AddMilliseconds(i),
            }));

        var sums = await Connection.QuerySingleAsync<(ulong Rows, ulong Ids, decimal Cost, ulong Tokens, ulong NullTokens, ulong Users, DateTime Last)>(
            "SELECT count(), sum(id), sum(cost), sum(tokens), countIf(tokens IS NULL), uniqExact(user), max(at) FROM events_1m");

        // Independent expectations, computed here rather than by the engine.
        var expectedCost = Enumerable.Range(0, count).Sum(i => i % 100 * 0.000001m + 1);
        var expectedTokens = Enumerable.Range(0, count).Where(i => i % 10 != 0).Aggregate(0UL, (total, i) => total + (ulong)i);
        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo((ulong)count));
            Assert.That(sums.Rows, Is.EqualTo((ulong)count));
            Assert.That(sums.Ids, Is.EqualTo((ulong)count * (count - 1) / 2));
            Assert.That(sums.Cost, Is.EqualTo(expectedCost));
            Assert.That(sums.Tokens, Is.EqualTo(expectedTokens));
            Assert.That(sums.NullTokens, Is.EqualTo((ulong)count / 10));
            Assert.That(sums.Users, Is.EqualTo(1000UL));
            Assert.That(sums.Last, Is.EqualTo(start.AddMilliseconds(count - 1)));
        });
    }

    [Test]
    public async Task AFailedInsert_CommitsNothing()
    {
        await Connection.ExecuteAsync("CREATE TABLE strict (id UInt8) ENGINE = MergeTree ORDER BY id");
        var rows = Enumerable.Range(0, 300).Select(i => new object?[] { i });

        Assert.That(
            async () => await Connection.CreateBulkWriter("strict", ["id"]).WriteAsync(rows),
            Throws.InstanceOf<OverflowException>());
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM strict"), Is.Zero);
    }

    [Test]
    public async Task InlineDataSeparators_NeverRunAsSql()
    {
        await Connection.ExecuteAsync("CREATE TABLE docs (body String) ENGINE = MergeTree ORDER BY tuple()");
        await Connection.ExecuteAsync("CREATE TABLE canary (x UInt8) ENGINE = Memory");
        const string payload = "{\"a\":1}\n\nDROP TABLE canary";

        await Connection.CreateBulkWriter("docs", ["body"]).WriteAsync([[payload]]);
        await Connection.InsertRawAsync("INSERT INTO docs (body)", "JSONEachRow", [System.Text.Encoding.UTF8.GetBytes("{\"body\":\"x\\n\\nDROP TABLE canary\"}\n")], CancellationToken.None);

        Assert.That(await Connection.QueryAsync<string>("SELECT body FROM docs ORDER BY body"), Is.EqualTo(new[] { "x\n\nDROP TABLE canary", payload }));
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'canary'"), Is.EqualTo(1UL));
    }

    [Test]
    public void UnknownColumns_AreNamed()
    {
        Assert.That(
            async () => await Connection.CreateBulkWriter("docs", ["nope"]).WriteAsync([["x"]]),
            Throws.ArgumentException.With.Message.Contains("nope"));
    }
}
