using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.ClickHouse.Tests.Copy;

[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
[TestFixture(TestEngines.Server)]
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

    private sealed record Call(ulong Id, string User, decimal Cost, uint Tokens, DateTime At, Guid Product, string? Note);

    [Test]
    public async Task ATypedMap_WritesEveryBlockWithExactSums()
    {
        await Connection.ExecuteAsync("""
            CREATE TABLE calls (
                id UInt64, user LowCardinality(String), cost Decimal(18, 9), tokens UInt32, at DateTime64(3, 'UTC'),
                product UUID, note Nullable(String))
            ENGINE = MergeTree ORDER BY id
            """);
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var products = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var calls = Enumerable.Range(0, 25_000).Select(i => new Call(
            (ulong)i, "user-" + (i % 97), i % 1000 * 0.000000001m + 2, (uint)(i * 3), start.AddMilliseconds(i * 7L),
            products[i % 3], i % 4 == 0 ? null : "n" + i)).ToList();
        var map = new ClickHouseColumnMap<Call>()
            .Add("id", c => c.Id).Add("user", c => c.User).Add("cost", c => c.Cost).Add("tokens", c => c.Tokens)
            .Add("at", c => c.At).Add("product", c => c.Product).Add("note", c => c.Note);

        // Small blocks, so that the insert spans several of them and a partial last one.
        var writer = Connection.CreateBulkWriter("calls", map.Columns);
        writer.BlockRows = 4096;
        var written = await writer.WriteAsync(calls, map);

        var sums = await Connection.QuerySingleAsync<(ulong Rows, ulong Ids, decimal Cost, ulong Tokens, ulong Users, DateTime Last, ulong Notes, string FirstProduct)>(
            "SELECT count(), sum(id), sum(cost), sum(tokens), uniqExact(user), max(at), count(note), toString(any(product) FILTER (WHERE id = 0)) FROM calls");
        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo((ulong)calls.Count));
            Assert.That(sums.Rows, Is.EqualTo((ulong)calls.Count));
            Assert.That(sums.Ids, Is.EqualTo(calls.Aggregate(0UL, (total, c) => total + c.Id)));
            Assert.That(sums.Cost, Is.EqualTo(calls.Sum(c => c.Cost)));
            Assert.That(sums.Tokens, Is.EqualTo(calls.Aggregate(0UL, (total, c) => total + c.Tokens)));
            Assert.That(sums.Users, Is.EqualTo(97UL));
            Assert.That(sums.Last, Is.EqualTo(calls[^1].At));
            Assert.That(sums.Notes, Is.EqualTo((ulong)calls.Count(c => c.Note is not null)));
            Assert.That(sums.FirstProduct, Is.EqualTo(products[0].ToString()));
        });
    }

    [Test]
    public async Task ATypedMap_ConvertsValuesOfOtherTypesLikeObjectRows()
    {
        await Connection.ExecuteAsync("CREATE TABLE converted (n UInt32, at DateTime64(3, 'UTC'), d Decimal(9, 2)) ENGINE = MergeTree ORDER BY n");
        var map = new ClickHouseColumnMap<int>()
            .Add("n", i => i) // int into UInt32
            .Add("at", i => $"2025-03-0{i + 1} 10:00:00") // text into DateTime64
            .Add("d", i => i + 0.25); // double into Decimal

        await Connection.CreateBulkWriter("converted", map.Columns).WriteAsync([0, 1, 2], map);

        var rows = (await Connection.QueryAsync<(uint N, DateTime At, decimal D)>("SELECT n, at, d FROM converted ORDER BY n")).ToList();
        Assert.That(rows, Is.EqualTo(new[]
        {
            (0u, new DateTime(2025, 3, 1, 10, 0, 0, DateTimeKind.Utc), 0.25m),
            (1u, new DateTime(2025, 3, 2, 10, 0, 0, DateTimeKind.Utc), 1.25m),
            (2u, new DateTime(2025, 3, 3, 10, 0, 0, DateTimeKind.Utc), 2.25m),
        }));
    }

    [Test]
    public void ATypedMap_MustNameTheWritersColumns()
    {
        var map = new ClickHouseColumnMap<int>().Add("b", i => i).Add("a", i => i);

        Assert.Multiple(() =>
        {
            Assert.That(
                async () => await Connection.CreateBulkWriter("anything", ["a", "b"]).WriteAsync([1], map),
                Throws.ArgumentException.With.Message.Contains("(b, a)"));
            Assert.That(() => map.Add("a", i => i), Throws.ArgumentException.With.Message.Contains("mapped twice"));
        });
    }

    [Test]
    public async Task WriterSettings_ApplyToItsInsertOnly()
    {
        await Connection.ExecuteAsync("CREATE TABLE by_month (m UInt8) ENGINE = MergeTree PARTITION BY m ORDER BY m");
        var limited = Connection.CreateBulkWriter("by_month", ["m"]);
        limited.Settings["max_partitions_per_insert_block"] = "1";

        Assert.That(
            async () => await limited.WriteAsync([[(byte)1], [(byte)2]]),
            Throws.InstanceOf<ClickHouseServerException>().With.Property(nameof(ClickHouseServerException.ErrorName)).EqualTo("TOO_MANY_PARTS"));

        // The same rows without the setting, on the same connection: it did not stay behind.
        await Connection.CreateBulkWriter("by_month", ["m"]).WriteAsync([[(byte)1], [(byte)2]]);
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM by_month"), Is.EqualTo(2UL));
    }

    [Test]
    public async Task ARowOfTheWrongWidth_IsRefused_AndNothingIsWritten()
    {
        await Connection.ExecuteAsync("CREATE TABLE pairs (a UInt8, b UInt8) ENGINE = MergeTree ORDER BY a");

        Assert.That(
            async () => await Connection.CreateBulkWriter("pairs", ["a", "b"]).WriteAsync([[(byte)1, (byte)2], [(byte)3]]),
            Throws.ArgumentException.With.Message.EqualTo("A row has 1 values but 2 columns were named."));
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM pairs"), Is.Zero);
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
