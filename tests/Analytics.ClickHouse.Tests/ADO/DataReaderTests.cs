using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Transport;

namespace Analytics.ClickHouse.Tests.ADO;

/// <summary>A data reader takes its rows from the engine piece by piece, as they are read.</summary>
[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
[TestFixture(TestEngines.Server)]
public sealed class DataReaderTests(string engine)
{
    // Many blocks of mixed values: an array, a string of two-byte characters, NULLs.
    private const string Mixed =
        "SELECT number AS n, toString(number) AS s, [number, 1] AS a, if(number % 3 = 0, NULL, 'x\"/é') AS t " +
        "FROM numbers(20000) WHERE number % 7 != 3 SETTINGS max_block_size = 1000";

    private ClickHouseConnection? connection;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open() => connection = await TestEngines.OpenDatabaseAsync(engine, nameof(DataReaderTests) + "_" + engine);

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
    public async Task EveryRow_OfAnOutputManyBlocksLong_IsReadOnce()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = Mixed;
        await using var reader = await command.ExecuteReaderAsync();

        var rows = await ReadAllAsync(reader);

        var expected = Enumerable.Range(0, 20000).Where(n => n % 7 != 3)
            .Select(n => new object[] { (ulong)n, n.ToString(), new[] { (ulong)n, 1UL }, n % 3 == 0 ? DBNull.Value : "x\"/é" })
            .ToList();
        Assert.That(reader.HasRows, Is.True);
        Assert.That(rows, Is.EqualTo(expected));
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(1000)]
    public async Task RowsCutBetweenPieces_AreJoined(int pieceSize)
    {
        var output = await WholeOutputAsync(Mixed);
        using var whole = ClickHouseDataReader.Open(new ResultBuffer(output, 0, null));
        var expected = await ReadAllAsync(whole);

        await using var reader = await ClickHouseDataReader.OpenAsync(new PieceByPiece(output, pieceSize), -1, CancellationToken.None);

        Assert.That(await ReadAllAsync(reader), Is.EqualTo(expected));
    }

    [Test]
    public async Task AnOutputCutShort_FailsAtItsLastRow()
    {
        var output = await WholeOutputAsync("SELECT number AS n, toString(number) AS s FROM numbers(1000)");
        await using var reader = await ClickHouseDataReader.OpenAsync(new PieceByPiece(output[..^2], 100), -1, CancellationToken.None);

        for (var n = 0; n < 999; n++)
        {
            Assert.That(await reader.ReadAsync(), Is.True);
        }

        var error = Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync());
        Assert.That(error!.Message, Does.Contain("part way through a row"));
    }

    [Test]
    public async Task AnEmptyOutput_StillNamesItsColumns()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number AS n FROM numbers(10) WHERE n > 100";
        await using var reader = await command.ExecuteReaderAsync();

        Assert.Multiple(() =>
        {
            Assert.That(reader.HasRows, Is.False);
            Assert.That(reader.FieldCount, Is.EqualTo(1));
            Assert.That(reader.GetName(0), Is.EqualTo("n"));
        });
        Assert.That(await reader.ReadAsync(), Is.False);
    }

    [TestCase("EXPLAIN SELECT sum(number) FROM numbers(10)", "explain")]
    [TestCase("EXPLAIN PIPELINE SELECT sum(number) FROM numbers(10)", "explain")]
    [TestCase("DESCRIBE TABLE system.one", "name")]
    [TestCase("SHOW DATABASES", "name")]
    public async Task StatementsOfEveryKind_AreRead(string sql, string firstColumn)
    {
        // The embedded engine refuses to stream some statements (EXPLAIN); they are read whole instead.
        await using var command = Connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();

        var rows = await ReadAllAsync(reader);
        Assert.Multiple(() =>
        {
            Assert.That(reader.GetName(0), Is.EqualTo(firstColumn));
            Assert.That(rows, Is.Not.Empty);
        });
    }

    [Test]
    public async Task RowsArriveBeforeTheStatementEnds_AndClosingTheReaderStopsIt()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number FROM numbers(100000000000)";
        command.QueryId = "reader-left-early-" + engine;

        // Bounded: a reader that waited for the whole output would wait for ever.
        await using (var reader = await command.ExecuteReaderAsync().WaitAsync(TimeSpan.FromSeconds(20)))
        {
            for (var n = 0UL; n < 5; n++)
            {
                Assert.That(await reader.ReadAsync(), Is.True);
                Assert.That(reader.GetFieldValue<ulong>(0), Is.EqualTo(n));
            }
        }

        Assert.That(await CommandTests.StatementStillRunningAsync(Connection, command.QueryId), Is.Null);
    }

    [Test]
    public async Task AFailurePartWay_IsThrownByTheReadThatReachesIt_AfterTheRowsBeforeIt()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT throwIf(number = 150000, 'stop here') AS x FROM numbers(1000000) SETTINGS max_block_size = 1000";
        await using var reader = await command.ExecuteReaderAsync();

        var read = 0;
        var error = Assert.ThrowsAsync<ClickHouseServerException>(async () =>
        {
            while (await reader.ReadAsync())
            {
                read++;
            }
        });

        Assert.That(error!.Message, Does.Contain("stop here"));
        Assert.That(read, Is.GreaterThan(0).And.LessThanOrEqualTo(150000));
    }

    private static async Task<List<object[]>> ReadAllAsync(System.Data.Common.DbDataReader reader)
    {
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The output of <paramref name="sql"/> for a data reader, taken whole.</summary>
    private async Task<byte[]> WholeOutputAsync(string sql)
    {
        var request = new QueryRequest(sql, Connection.Database, Guid.NewGuid().ToString(), ClickHouseDataReader.Format, [], new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
        using var output = await Connection.Transport.QueryAsync(request, CancellationToken.None);
        return output.Memory.ToArray();
    }

    /// <summary>Hands an output over in pieces of one size, each overwritten once the next is read.</summary>
    private sealed class PieceByPiece(byte[] output, int size) : ResultStream
    {
        private readonly byte[] piece = new byte[size];
        private int offset;

        public override ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
        {
            // A piece is valid only until the next read: a reader that kept one would see this filler.
            Array.Fill(piece, (byte)0xEE);
            var count = Math.Min(size, output.Length - offset);
            output.AsSpan(offset, count).CopyTo(piece);
            offset += count;
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(piece.AsMemory(0, count));
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
