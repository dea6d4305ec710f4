using System.Text;
using System.Text.Json;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Transport.Embedded;
using Dapper;

namespace Analytics.ClickHouse.Tests.ADO;

/// <summary>Output handed over as the engine wrote it, in a format the caller names.</summary>
[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
[TestFixture(TestEngines.Server)]
public sealed class RawResultTests(string engine)
{
    private ClickHouseConnection? connection;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open() => connection = await TestEngines.OpenDatabaseAsync(engine, nameof(RawResultTests) + "_" + engine);

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
    public async Task JsonEachRow_WithParametersAndFormatSettings()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number AS n, concat({prefix:String}, toString(number)) AS s, toInt64(number) * 1000000000000 AS big FROM numbers(3) ORDER BY n";
        command.Parameters.AddWithValue("prefix", "a/\"é\"-");
        command.Settings["output_format_json_array_of_rows"] = "1";
        command.Settings["output_format_json_quote_64bit_integers"] = "0";

        await using var result = await command.ExecuteRawAsync("JSONEachRow");
        using var json = JsonDocument.Parse(await result.ReadAllBytesAsync());

        var rows = json.RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("n").GetUInt64(), r.GetProperty("s").GetString(), r.GetProperty("big").GetInt64()))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Format, Is.EqualTo("JSONEachRow"));
            Assert.That(rows, Is.EqualTo(new[] { (0UL, "a/\"é\"-0", 0L), (1UL, "a/\"é\"-1", 1_000_000_000_000L), (2UL, "a/\"é\"-2", 2_000_000_000_000L) }));
        });
    }

    [Test]
    public async Task StatementsTheEngineDoesNotStream_AreHandedOverWhole_EvenWhenTheirOutputIsEmpty()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "EXPLAIN SELECT count() FROM numbers(10)";
        await using (var explain = await command.ExecuteRawAsync("JSONEachRow"))
        {
            var lines = Encoding.UTF8.GetString(await explain.ReadAllBytesAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Is.Not.Empty.And.All.StartsWith("{\"explain\":"));
        }

        // A database of its own, with no tables: SHOW TABLES writes nothing at all.
        var empty = "raw_empty_" + engine;
        await Connection.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {empty}");
        command.CommandText = $"SHOW TABLES FROM {empty}";
        await using var tables = await command.ExecuteRawAsync("JSONEachRow");

        Assert.That(await tables.ReadAllBytesAsync(), Is.Empty);
    }

    [Test]
    public async Task CopyTo_WritesEveryByte_OfAnOutputManySlicesLong()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number, repeat('x', number % 50) FROM numbers(100000)";

        await using var result = await command.ExecuteRawAsync("TSV");
        using var copy = new MemoryStream();
        await result.CopyToAsync(copy);

        Assert.That(copy.Length, Is.GreaterThan(4 * ClickHouseRawResult.CopySlice));
        var lines = Encoding.UTF8.GetString(copy.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(100_000));
        Assert.That(lines[^1], Is.EqualTo("99999\t" + new string('x', 99_999 % 50)));
    }

    [TestCase("Native")]
    [TestCase("RowBinary")]
    [TestCase("TabSeparated")]
    [TestCase("TSV")]
    [TestCase("CSV")]
    [TestCase("JSONCompactEachRow")]
    [TestCase("JSONEachRow")]
    [TestCase("JSONLines")]
    [TestCase("NDJSON")]
    [TestCase("JSONStringsEachRow")]
    [TestCase("JSONEachRow", "output_format_json_array_of_rows")]
    [TestCase("JSONStringsEachRow", "output_format_json_array_of_rows")]
    [TestCase("RowBinaryWithNames")]
    [TestCase("RowBinaryWithNamesAndTypes")]
    [TestCase("CSVWithNames")]
    [TestCase("Parquet")]
    public async Task Output_OfManyBlocks_IsByteForByteWhatAWholeRunWrites(string format, string? setting = null)
    {
        const string Sql = "SELECT number AS n, toString(number) AS s, [number, 1] AS a, if(number % 3 = 0, NULL, 'x\"/é') AS t FROM numbers(20000) WHERE number % 7 != 3";
        var settings = new Dictionary<string, string> { ["max_block_size"] = "1000" };
        if (setting is not null)
        {
            settings[setting] = "1";
        }

        await using var command = Connection.CreateCommand();
        command.CommandText = Sql;
        foreach (var (name, value) in settings)
        {
            command.Settings[name] = value;
        }

        var pieces = 0;
        using var streamed = new MemoryStream();
        await using (var result = await command.ExecuteRawAsync(format))
        {
            for (var piece = await result.ReadAsync(); !piece.IsEmpty; piece = await result.ReadAsync())
            {
                pieces++;
                streamed.Write(piece.Span);
            }
        }

        using var whole = await Connection.Transport.QueryAsync(
            new QueryRequest(Sql, Connection.Database, Guid.NewGuid().ToString(), format, [], settings, TimeSpan.FromSeconds(30)),
            CancellationToken.None);

        Assert.That(streamed.ToArray(), Is.EqualTo(whole.Memory.ToArray()));
        if (engine == TestEngines.Embedded && ChDbResultStream.Streams(format))
        {
            Assert.That(pieces, Is.GreaterThan(10), "the embedded engine should hand the output over block by block");
        }
    }

    [Test]
    public async Task AnEmptyOutput_HasTheFormatsFraming()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number AS n FROM numbers(10) WHERE n > 100";
        command.Settings["output_format_json_array_of_rows"] = "1";

        await using var array = await command.ExecuteRawAsync("JSONEachRow");
        Assert.That(Encoding.UTF8.GetString(await array.ReadAllBytesAsync()), Is.EqualTo("[\n\n]\n"));

        command.Settings.Clear();
        await using var rows = await command.ExecuteRawAsync("JSONEachRow");
        Assert.That(await rows.ReadAllBytesAsync(), Is.Empty);

        // The header alone: the count of columns, then the name and the type of the one column.
        await using var header = await command.ExecuteRawAsync("RowBinaryWithNamesAndTypes");
        Assert.That(await header.ReadAllBytesAsync(), Is.EqualTo("\u0001\u0001n\u0006UInt64"u8.ToArray()));
    }

    [Test]
    public void Errors_AreThrownByTheCall()
    {
        var command = Connection.CreateCommand();
        command.CommandText = "SELECT * FROM no_such_table_for_raw";
        command.QueryId = "raw-missing-table";

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => command.ExecuteRawAsync("JSONEachRow"));

        Assert.That(error!.ErrorCode, Is.EqualTo(60));
        Assert.That(error.QueryId, Is.EqualTo("raw-missing-table"));
    }

    [Test]
    public async Task AnErrorPartWay_IsThrownByTheReads_AfterTheRowsBeforeIt()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT throwIf(number = 15000, 'row 15000') AS n FROM numbers(20000)";
        command.Settings["max_block_size"] = "1000";
        command.QueryId = "raw-fails-part-way-" + engine;

        if (engine != TestEngines.Embedded)
        {
            // A server buffers the start of its answer, so a failure this early may come with its status line.
            var failure = Assert.ThrowsAsync<ClickHouseServerException>(async () =>
            {
                await using var answer = await command.ExecuteRawAsync("TSV");
                await answer.ReadAllBytesAsync();
            });
            Assert.That(failure!.ErrorCode, Is.EqualTo(395));
            return;
        }

        await using var result = await command.ExecuteRawAsync("TSV");
        var first = await result.ReadAsync();
        Assert.That(Encoding.UTF8.GetString(first.Span), Does.StartWith("0\n0\n"));

        var error = Assert.ThrowsAsync<ClickHouseServerException>(() => result.ReadAllBytesAsync());
        Assert.That(error!.ErrorCode, Is.EqualTo(395));
        Assert.That(error.QueryId, Is.EqualTo(command.QueryId));
        Assert.ThrowsAsync<InvalidOperationException>(async () => await result.ReadAsync());
    }

    [Test]
    public async Task AnOutputLeftWhileItsNextBlockIsLongInComing_StopsItsStatement()
    {
        // The first block has five rows; the filter matches nothing after them, so the next never comes.
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number FROM numbers(100000000000) WHERE number < 5 OR sipHash64(number) = 7";
        command.QueryId = "raw-left-waiting-" + engine;

        await using (var result = await command.ExecuteRawAsync("TSV"))
        {
            Assert.That(Encoding.UTF8.GetString((await result.ReadAsync()).Span), Is.EqualTo("0\n1\n2\n3\n4\n"));
        }

        // The stop is over once disposal returns: the next statement under the same query id runs untouched.
        command.CommandText = "SELECT count() FROM numbers(30000000) WHERE sipHash64(number) != 7";
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(30_000_000UL));
        Assert.That(await CommandTests.StatementStillRunningAsync(Connection, command.QueryId), Is.Null);
    }

    [Test]
    public async Task AnOutputLeftPartWay_StopsItsStatementAndFreesItsSession()
    {
        // More abandoned outputs than the pool has sessions: one session kept by each would leave the last waiting.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 3 * ClickHouseDefaults.PoolSize; i++)
        {
            await using var command = Connection.CreateCommand();
            command.CommandText = "SELECT number FROM numbers(100000000000)";
            command.QueryId = $"raw-left-{engine}-{i}";

            var result = await command.ExecuteRawAsync("RowBinary", deadline.Token);
            Assert.That((await result.ReadAsync(deadline.Token)).IsEmpty, Is.False);
            await result.DisposeAsync();
            Assert.That(await CommandTests.StatementStillRunningAsync(Connection, command.QueryId), Is.Null);
        }

        Assert.That(await Connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: deadline.Token)), Is.EqualTo(1));
    }

    [Test]
    public async Task StreamsHoldAtMostHalfTheEmbeddedPool_TheRestServesOtherStatements()
    {
        if (engine != TestEngines.Embedded)
        {
            Assert.Ignore("A server's answers hold connections, not sessions of a pool.");
        }

        var limit = ((EmbeddedTransport)Connection.Transport).Engine.StreamLimit;
        var held = new List<ClickHouseRawResult>();
        try
        {
            // Readers that read no further, as a stalled client would.
            for (var i = 0; i < limit; i++)
            {
                held.Add(await Unending($"raw-held-{i}", CancellationToken.None));
            }

            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                Assert.That(async () => await Unending("raw-held-over", wait.Token), Throws.InstanceOf<OperationCanceledException>(), "one stream too many waits");
            }

            Assert.That(await Connection.ExecuteScalarAsync<int>("SELECT 1"), Is.EqualTo(1), "other statements still find sessions");

            await held[0].DisposeAsync();
            held.RemoveAt(0);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            held.Add(await Unending("raw-held-next", deadline.Token));
        }
        finally
        {
            foreach (var result in held)
            {
                await result.DisposeAsync();
            }
        }

        async Task<ClickHouseRawResult> Unending(string queryId, CancellationToken cancellationToken)
        {
            await using var command = Connection.CreateCommand();
            command.CommandText = "SELECT number FROM numbers(100000000000)";
            command.QueryId = queryId;
            return await command.ExecuteRawAsync("RowBinary", cancellationToken);
        }
    }

    [Test]
    public async Task CancellingARead_StopsTheStatement()
    {
        await using var command = Connection.CreateCommand();

        // Every row is filtered out: the first block never comes, and the read waits on the engine.
        command.CommandText = "SELECT number FROM numbers(100000000000) WHERE sipHash64(number) = 7";
        command.QueryId = "raw-cancelled-" + engine;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await command.ExecuteRawAsync("TSV", cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await CommandTests.StatementStillRunningAsync(Connection, command.QueryId), Is.Null);
        Assert.That(await Connection.ExecuteScalarAsync<int>("SELECT 1"), Is.EqualTo(1));
    }

    [Test]
    public async Task TheNextReader_StillGetsRows()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT 41 + 1";
        await using (await command.ExecuteRawAsync("JSONEachRow"))
        {
        }

        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo((ushort)42));
    }
}
