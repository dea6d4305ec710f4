using System.Data;
using System.Text;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Transport;
using Analytics.ClickHouse.Transport.Embedded;
using Dapper;

namespace Analytics.ClickHouse.Tests.Transport.Embedded;

/// <summary>What hosting the engine in-process must not break.</summary>
public sealed class EmbeddedEngineTests
{
    private ClickHouseConnection connection = null!;

    [OneTimeSetUp]
    public async Task Open() => connection = await EmbeddedEngine.OpenDatabaseAsync(nameof(EmbeddedEngineTests));

    [OneTimeTearDown]
    public async Task Close() => await connection.DisposeAsync();

    [Test]
    public async Task NullReferenceException_IsCatchableAfterTheEngineStarted()
    {
        Assert.That(await connection.ExecuteScalarAsync<int>("SELECT 1"), Is.EqualTo(1));

        // The engine installs SIGSEGV handlers at boot; the provider keeps the runtime's own in place.
        string? missing = null;
        Assert.Throws<NullReferenceException>(() => _ = missing!.Length);
    }

    [Test]
    public void ASecondDataPath_IsRefusedClearly()
    {
        using var other = new ClickHouseConnection($"Engine=Embedded;Path={EmbeddedEngine.DataPath}-other");

        var error = Assert.Throws<InvalidOperationException>(() => other.Open());
        Assert.That(error!.Message, Does.Contain("one data path per process"));
        Assert.That(other.State, Is.EqualTo(ConnectionState.Closed));
    }

    [Test]
    public async Task ServerVersion_IsTheEnginesOwn()
    {
        var version = await connection.ExecuteScalarAsync<string>("SELECT version()");

        Assert.That(connection.ServerVersion, Is.EqualTo(version));
    }

    // The engine keeps a statement that failed while running until its session runs another. Each case below
    // fails on a session held out of the pool until the process list has been read, so that reading it can never
    // be the next statement on that session.
    [TestCase("SELECT throwIf(number = 3000000) FROM numbers(10000000)", 30, TestName = "AStatementThatFails_LeavesTheEngineAtOnce(thrown by a function)")]
    [TestCase("SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 7", 1, TestName = "AStatementThatFails_LeavesTheEngineAtOnce(timed out)")]
    public async Task AStatementThatFails_LeavesTheEngineAtOnce(string sql, int timeoutSeconds)
    {
        var request = Request(sql, "Null", TimeSpan.FromSeconds(timeoutSeconds));

        var listed = await ListedAfterAsync(request, session => Assert.Throws<ClickHouseServerException>(() => session.Execute(request).Dispose()));

        Assert.That(listed, Is.Zero);
    }

    [Test]
    public async Task AStreamThatFailsPartWay_LeavesTheEngineOnceItEnds()
    {
        var request = Request("SELECT throwIf(number = 3000000) FROM numbers(10000000)", "RowBinary", TimeSpan.FromSeconds(30));

        var listed = await ListedAfterAsync(request, session =>
        {
            var stream = session.StartStream(request);
            Assert.Throws<ClickHouseServerException>(() =>
            {
                while (session.FetchChunk(stream, request.QueryId) is { } chunk)
                {
                    chunk.Dispose();
                }
            });
            session.EndStream(stream, complete: false);
        });

        Assert.That(listed, Is.Zero);
    }

    [Test]
    public async Task AStreamKilledWhileFetching_LeavesTheEngineOnceItEnds()
    {
        var request = Request("SELECT number FROM numbers(100000000000)", "RowBinary", TimeSpan.FromSeconds(30));

        var listed = await ListedAfterAsync(request, session =>
        {
            var stream = session.StartStream(request);
            session.FetchChunk(stream, request.QueryId)!.Dispose();

            // The next block is fetched while another session kills the statement, then the stream is left.
            var fetch = Task.Run(() => session.FetchChunk(stream, request.QueryId)?.Dispose());
            connection.Execute("KILL QUERY WHERE Settings['log_comment'] = @id ASYNC", new { id = request.QueryId });
            try
            {
                fetch.Wait();
            }
            catch (AggregateException)
            {
                // The fetch may meet the kill, or may have had its block already.
            }

            session.EndStream(stream, complete: false);
        });

        Assert.That(listed, Is.Zero);
    }

    [Test]
    public async Task AnInsertThatFailsPartWay_LeavesTheEngineAtOnce()
    {
        await connection.ExecuteAsync("CREATE TABLE small (n UInt8) ENGINE = MergeTree ORDER BY n");
        var request = Request("INSERT INTO small (n)", "JSONEachRow", TimeSpan.FromSeconds(30));
        var rows = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100_000).Select(i => $"{{\"n\":{i % 200}}}\n")));
        ReadOnlyMemory<byte>[] chunks = [rows, Encoding.UTF8.GetBytes("{\"n\":\"not a number\"}\n")];

        var listed = await ListedAfterAsync(request, session => Assert.Throws<ClickHouseServerException>(() => session.Insert(request, "JSONEachRow", chunks, CancellationToken.None)));

        Assert.That(listed, Is.Zero);
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM small"), Is.Zero);
    }

    [Test]
    public async Task AStatementUnderTheIdOfOneBeingStopped_WaitsUntilTheStopIsOver()
    {
        var transport = (EmbeddedTransport)connection.Transport;
        var request = Request("SELECT 42", "TSV", TimeSpan.FromSeconds(30));
        var stopped = new TaskCompletionSource();

        // KILLs for the id go on until the work they stop has ended.
        var stop = transport.StopAsync(request.QueryId, stopped.Task);
        var next = transport.QueryAsync(request, CancellationToken.None);
        await Task.Delay(300);
        var waited = !next.IsCompleted;
        stopped.SetResult();
        await stop;
        using var answer = await next.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(waited, Is.True, "a statement under the id being stopped should wait for the stop");
        Assert.That(Encoding.UTF8.GetString(answer.Memory.Span), Is.EqualTo("42\n"));
    }

    private QueryRequest Request(string sql, string format, TimeSpan timeout) =>
        new(sql, connection.Database, Guid.NewGuid().ToString(), format, [], new Dictionary<string, string>(), timeout);

    /// <summary>
    /// Runs <paramref name="work"/> on a session of the fixture's engine that no other statement can use, and
    /// returns how many entries the engine's process list then shows for the request, read while the session is
    /// still held.
    /// </summary>
    private async Task<ulong> ListedAfterAsync(QueryRequest request, Action<ChDbSession> work)
    {
        var engine = ((EmbeddedTransport)connection.Transport).Engine;
        var session = await engine.RentAsync(CancellationToken.None);
        try
        {
            await Task.Run(() => work(session));
            return await connection.ExecuteScalarAsync<ulong>(
                "SELECT count() FROM system.processes WHERE Settings['log_comment'] = @id", new { id = request.QueryId });
        }
        finally
        {
            engine.Return(session);
        }
    }
}
