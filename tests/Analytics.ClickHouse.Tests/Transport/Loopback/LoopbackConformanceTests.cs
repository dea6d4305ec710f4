using Analytics.ClickHouse.Loopback;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Driver = ClickHouse.Driver;

namespace Analytics.ClickHouse.Tests.Transport.Loopback;

/// <summary>
/// The loopback server as ClickHouse's official .NET client sees it. The client is tested by its authors
/// against real servers, so what it sends and expects back is a check of the loopback server that does not
/// come from our own transport: parameters and settings in the URL, the database, the output format, an
/// INSERT's data after its statement, the written rows in X-ClickHouse-Summary, and errors with their code.
/// </summary>
public sealed class LoopbackConformanceTests
{
    private LoopbackServer server = null!;
    private ClickHouseClient client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        server = await TestEngines.LoopbackAsync();
        await using (var setup = await TestEngines.OpenDatabaseAsync(TestEngines.Http, "loopback_conformance"))
        {
            await using var command = setup.CreateCommand();
            command.CommandText = "CREATE TABLE calls (user_id String, credits Decimal(18, 6), at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY user_id";
            await command.ExecuteNonQueryAsync();
        }

        client = new ClickHouseClient($"Host={server.Url.Host};Port={server.Url.Port};Protocol=http;Database=t_loopback_conformance;Compression=true");
    }

    [OneTimeTearDown]
    public void Stop() => client.Dispose();

    [Test]
    public async Task TheClientsInsertAndTypedRead_RoundTrip()
    {
        var at = new DateTime(2026, 11, 20, 10, 0, 0, 123, DateTimeKind.Utc);
        using var insert = await client.PostStreamAsync(
            "INSERT INTO calls (user_id, credits, at) FORMAT TSV",
            async (body, ct) => await body.WriteAsync("u1\t1.5\t2026-11-20 10:00:00.123\nu2\t0.000001\t2026-11-20 10:00:00.123\n"u8.ToArray(), ct),
            false,
            CancellationToken.None,
            new QueryOptions { QueryId = "conformance-insert" });

        Assert.That(insert.Headers.GetValues("X-ClickHouse-Summary").Single(), Does.Contain("\"written_rows\":\"2\""));

        await using var connection = client.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id, credits, at FROM calls WHERE user_id = {user:String} AND at = {at:DateTime64(3, 'UTC')}";
        command.Parameters.Add(new Driver.ADO.Parameters.ClickHouseDbParameter { ParameterName = "user", Value = "u1" });
        command.Parameters.Add(new Driver.ADO.Parameters.ClickHouseDbParameter { ParameterName = "at", Value = at });
        await using var reader = await command.ExecuteReaderAsync();

        Assert.That(await reader.ReadAsync(), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(reader.GetString(0), Is.EqualTo("u1"));
            Assert.That(Convert.ToDecimal(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(1.5m));
            Assert.That((DateTime)reader.GetValue(2), Is.EqualTo(at));
        });
        Assert.That(await reader.ReadAsync(), Is.False);
    }

    [Test]
    public async Task SettingsAndTheOutputFormat_ReachTheEngine()
    {
        await using var connection = client.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT getSetting('max_threads') AS threads, currentDatabase() AS db";
        command.CustomSettings["max_threads"] = 3;
        command.CustomSettings["default_format"] = "JSONEachRow";
        using var raw = await command.ExecuteRawResultAsync(CancellationToken.None);

        Assert.That(await raw.ReadAsStringAsync(), Is.EqualTo("{\"threads\":3,\"db\":\"t_loopback_conformance\"}\n"));
    }

    [Test]
    public void ServerErrors_ReachTheClientWithTheirCode()
    {
        var error = Assert.ThrowsAsync<Driver.ClickHouseServerException>(async () =>
            await client.ExecuteScalarAsync("SELECT * FROM no_such_table", null, null, CancellationToken.None));

        Assert.That(error!.ErrorCode, Is.EqualTo(60));
        Assert.That(error.Message, Does.Contain("UNKNOWN_TABLE"));
    }

    [Test]
    public async Task AFailurePartWay_EndsTheBodyWithTheTaggedException()
    {
        await using var connection = client.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT throwIf(number = 150000, 'row 150000') AS n FROM numbers(200000)";
        command.CustomSettings["max_block_size"] = 1000;
        command.CustomSettings["default_format"] = "TSV";
        using var raw = await command.ExecuteRawResultAsync(CancellationToken.None);
        var body = await raw.ReadAsStringAsync();

        Assert.That(body, Does.StartWith("0\n0\n"));
        Assert.That(
            System.Text.RegularExpressions.Regex.IsMatch(body, @"__exception__([a-z]{16})\r\nCode: 395\..*row 150000.*\r\n\d+ \1__exception__\r\n$", System.Text.RegularExpressions.RegexOptions.Singleline),
            Is.True,
            body[^Math.Min(300, body.Length)..]);
    }

    [Test]
    public async Task AnInjectedUnavailableServer_IsAnErrorOfTheClient_ThenTheServerAnswersAgain()
    {
        server.Inject(new LoopbackFault.Fail(503, 209, "Timeout exceeded while reading from socket"), when: r => r.Sql.Contains("'conformance-503'", StringComparison.Ordinal));

        var error = Assert.ThrowsAsync<Driver.ClickHouseServerException>(async () =>
            await client.ExecuteScalarAsync("SELECT 'conformance-503'", null, null, CancellationToken.None));
        Assert.That(error!.ErrorCode, Is.EqualTo(209));

        Assert.That(await client.ExecuteScalarAsync("SELECT 'conformance-503'", null, null, CancellationToken.None), Is.EqualTo("conformance-503"));
    }

    [Test]
    public async Task APing_AnswersOk()
    {
        using var http = new HttpClient();
        Assert.That(await http.GetStringAsync(new Uri(server.Url, "/ping")), Is.EqualTo("Ok.\n"));
        Assert.That(await client.PingAsync(null, CancellationToken.None), Is.True);
    }
}
