using System.Data;
using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.ClickHouse.Tests.ADO;

[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
[TestFixture(TestEngines.Server)]
public sealed class CommandTests(string engine)
{
    private ClickHouseConnection? connection;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open() => connection = await TestEngines.OpenDatabaseAsync(engine, nameof(CommandTests) + "_" + engine);

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
    public async Task Reader_ExposesNamesTypesAndRows()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number AS n, toString(number) AS s FROM numbers(3) ORDER BY n";
        await using var reader = await command.ExecuteReaderAsync();

        Assert.Multiple(() =>
        {
            Assert.That(reader.FieldCount, Is.EqualTo(2));
            Assert.That(reader.GetName(1), Is.EqualTo("s"));
            Assert.That(reader.GetDataTypeName(0), Is.EqualTo("UInt64"));
            Assert.That(reader.GetFieldType(0), Is.EqualTo(typeof(ulong)));
        });
        var rows = new List<(ulong, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetFieldValue<ulong>(0), reader.GetString(1)));
        }

        Assert.That(rows, Is.EqualTo(new[] { (0UL, "0"), (1UL, "1"), (2UL, "2") }));
    }

    [Test]
    public async Task Dapper_MapsRowsToRecords()
    {
        var rows = (await Connection.QueryAsync<Item>(
            "SELECT toInt64(number) AS Id, concat('item-', toString(number)) AS Name, number * 1.5 AS Price FROM numbers(@n)",
            new { n = 4 })).ToList();

        Assert.That(rows, Has.Count.EqualTo(4));
        Assert.That(rows[3], Is.EqualTo(new Item(3, "item-3", 4.5)));
    }

    [Test]
    public async Task CommandSettings_ApplyToTheirCommandOnly()
    {
        await using var limited = Connection.CreateCommand();
        limited.CommandText = "SELECT getSetting('max_threads')";
        limited.Settings["max_threads"] = "1";
        var during = await limited.ExecuteScalarAsync();

        var after = await Connection.ExecuteScalarAsync<ulong>("SELECT getSetting('max_threads')");

        Assert.That(during, Is.EqualTo(1UL));
        Assert.That(after, Is.Not.EqualTo(1UL).Or.EqualTo((ulong)Environment.ProcessorCount), "the next statement runs with the default again");
    }

    [Test]
    public async Task ACommandWithABadSetting_FailsAndLeavesNoneOfItsSettingsBehind()
    {
        await using var bad = Connection.CreateCommand();
        bad.CommandText = "SELECT 1";
        bad.Settings["max_threads"] = "1";
        bad.Settings["max_block_size"] = "not a number";
        Assert.ThrowsAsync<ClickHouseServerException>(() => bad.ExecuteScalarAsync());

        // The next command asking for the same setting gets it, and every session the pool may hand out
        // afterwards runs with the default again.
        await using var good = Connection.CreateCommand();
        good.CommandText = "SELECT getSetting('max_threads')";
        good.Settings["max_threads"] = "1";
        var asked = await good.ExecuteScalarAsync();
        var after = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Connection.ExecuteScalarAsync<ulong>("SELECT getSetting('max_threads')")));

        Assert.That(asked, Is.EqualTo(1UL));
        Assert.That(after, Has.None.EqualTo(1UL).Or.All.EqualTo((ulong)Environment.ProcessorCount));
    }

    [Test]
    public async Task ADroppedAndRecreatedDatabase_IsUsableAgain()
    {
        await using var own = await TestEngines.OpenDatabaseAsync(engine, "recreated_" + engine);
        Assert.That(await own.ExecuteScalarAsync<string>("SELECT currentDatabase()"), Is.EqualTo(own.Database));

        await own.ExecuteAsync($"DROP DATABASE {ClickHouseSql.QuoteIdentifier(own.Database)}");
        await using (var other = new ClickHouseConnection(own.ConnectionString))
        {
            other.ChangeDatabase("default");
            await other.OpenAsync();
            await other.ExecuteAsync($"CREATE DATABASE {ClickHouseSql.QuoteIdentifier(own.Database)}");
        }

        Assert.That(await own.ExecuteScalarAsync<string>("SELECT currentDatabase()"), Is.EqualTo(own.Database));
    }

    [Test]
    public void SynchronousMethods_WorkToo()
    {
        var numbers = Connection.Query<ulong>("SELECT number FROM numbers(@n)", new { n = 3 }).ToList();
        var scalar = Connection.ExecuteScalar<string>("SELECT 'sync'");

        Assert.That(numbers, Is.EqualTo(new ulong[] { 0, 1, 2 }));
        Assert.That(scalar, Is.EqualTo("sync"));
    }

    [Test]
    public async Task Dapper_ExecuteScalarWithTypedParameters()
    {
        // Dapper drops members it cannot see as @name in the text unless told to keep them.
        var sum = await Connection.ExecuteScalarAsync<long>(
            "SELECT {a:Int64} + {b:Int64}",
            new DynamicParameters(new { a = 40L, b = 2L }) { RemoveUnused = false });

        Assert.That(sum, Is.EqualTo(42));
    }

    [Test]
    public async Task NonQuery_ReportsRowsWritten()
    {
        await Connection.ExecuteAsync("CREATE TABLE written (x UInt64) ENGINE = MergeTree ORDER BY x");
        var written = await Connection.ExecuteAsync("INSERT INTO written SELECT number FROM numbers(1000)");

        Assert.That(written, Is.EqualTo(1000));
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT sum(x) FROM written"), Is.EqualTo(499_500UL));
    }

    [Test]
    public void Transactions_AreRefusedWithAReason()
    {
        var error = Assert.Throws<NotSupportedException>(() => Connection.BeginTransaction());
        Assert.That(error!.Message, Does.Contain("no transactions"));
    }

    [Test]
    public void ServerErrors_CarryCodeNameAndQueryId()
    {
        var command = Connection.CreateCommand();
        command.CommandText = "SELECT * FROM table_that_does_not_exist";
        command.QueryId = "missing-table-query";

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => command.ExecuteReaderAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(60));
            Assert.That(error.ErrorName, Is.EqualTo("UNKNOWN_TABLE"));
            Assert.That(error.QueryId, Is.EqualTo("missing-table-query"));
            Assert.That(error.Message, Does.Contain("table_that_does_not_exist"));
        });
    }

    [Test]
    public void SyntaxErrors_AreServerErrorsToo()
    {
        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => Connection.ExecuteAsync("SELEC 1"));
        Assert.That(error!.ErrorCode, Is.EqualTo(62));
    }

    [Test]
    public async Task Cancellation_StopsARunningQueryAndLeavesTheEngineUsable()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 7";
        command.QueryId = "cancelled-" + engine;

        Assert.That(async () => await command.ExecuteScalarAsync(cancellation.Token), Throws.InstanceOf<OperationCanceledException>());

        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(20)), "cancellation should not wait for the query to finish");
        Assert.That(await StatementStillRunningAsync(Connection, command.QueryId), Is.Null, "the engine should stop the statement, not just the caller waiting for it");
        Assert.That(await Connection.ExecuteScalarAsync<int>("SELECT 1"), Is.EqualTo(1));
    }

    /// <summary>
    /// Waits up to ten seconds for the statement <paramref name="queryId"/> to leave the engine's process list.
    /// Returns null once it has, or what the process list still shows of it.
    /// </summary>
    internal static async Task<string?> StatementStillRunningAsync(ClickHouseConnection connection, string queryId)
    {
        // A server lists our query id as the statement's own; the embedded engine lists it as its log_comment.
        const string Running = """
            SELECT format('is_cancelled={} elapsed={}s read_rows={}', is_cancelled, round(elapsed, 1), read_rows)
            FROM system.processes
            WHERE query_id = @id OR Settings['log_comment'] = @id
            """;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var seen = (await connection.QueryAsync<string>(Running, new { id = queryId })).ToList();
            if (seen.Count == 0)
            {
                return null;
            }

            if (DateTime.UtcNow > deadline)
            {
                return string.Join("; ", seen);
            }

            await Task.Delay(50);
        }
    }

    [Test]
    public void CommandTimeout_StopsTheQueryServerSide()
    {
        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => Connection.ExecuteScalarAsync<ulong>(
            "SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 7",
            commandTimeout: 1));

        Assert.That(error!.ErrorName, Is.EqualTo("TIMEOUT_EXCEEDED"));
    }

    [Test]
    public async Task ThirtyTwoConcurrentQueries_AllAnswerCorrectly()
    {
        var queries = Enumerable.Range(1, 32).Select(async i =>
        {
            await using var own = new ClickHouseConnection(Connection.ConnectionString);
            await own.OpenAsync();
            return await own.ExecuteScalarAsync<ulong>("SELECT sum(number) FROM numbers(@n)", new { n = (ulong)(i * 100_000) });
        });

        var sums = await Task.WhenAll(queries);

        var expected = Enumerable.Range(1, 32).Select(i => (ulong)(i * 100_000) * (ulong)((i * 100_000) - 1) / 2);
        Assert.That(sums, Is.EqualTo(expected));
    }

    [Test]
    public async Task Databases_AreIsolatedPerConnection()
    {
        await using var other = await TestEngines.OpenDatabaseAsync(engine, nameof(Databases_AreIsolatedPerConnection) + "_" + engine);
        await other.ExecuteAsync("CREATE TABLE only_here (x UInt8) ENGINE = Memory");

        Assert.That(await other.ExecuteScalarAsync<string>("SELECT currentDatabase()"), Is.EqualTo(other.Database));
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'only_here'"), Is.Zero);
    }

    [Test]
    public async Task Databases_StayIsolated_WhileConnectionsRunConcurrently()
    {
        await using var other = await TestEngines.OpenDatabaseAsync(engine, nameof(Databases_StayIsolated_WhileConnectionsRunConcurrently) + "_" + engine);

        // Statements of both connections interleave on the engine's sessions; each must run in its own database.
        async Task<List<string?>> Run(ClickHouseConnection on) =>
            [.. await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => on.ExecuteScalarAsync<string>("SELECT currentDatabase()"))))];
        var results = await Task.WhenAll(Run(Connection), Run(other));

        Assert.Multiple(() =>
        {
            Assert.That(results[0], Is.All.EqualTo(Connection.Database));
            Assert.That(results[1], Is.All.EqualTo(other.Database));
        });
    }

    public sealed record Item(long Id, string Name, double Price);
}
