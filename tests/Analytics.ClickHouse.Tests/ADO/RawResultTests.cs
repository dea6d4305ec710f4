using System.Text;
using System.Text.Json;
using Analytics.ClickHouse.ADO;

namespace Analytics.ClickHouse.Tests.ADO;

/// <summary>Output handed over as the engine wrote it, in a format the caller names.</summary>
[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
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

        using var result = await command.ExecuteRawAsync("JSONEachRow");
        using var json = JsonDocument.Parse(result.Data);

        var rows = json.RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("n").GetUInt64(), r.GetProperty("s").GetString(), r.GetProperty("big").GetInt64()))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Format, Is.EqualTo("JSONEachRow"));
            Assert.That(result.Length, Is.EqualTo(result.Data.Length));
            Assert.That(rows, Is.EqualTo(new[] { (0UL, "a/\"é\"-0", 0L), (1UL, "a/\"é\"-1", 1_000_000_000_000L), (2UL, "a/\"é\"-2", 2_000_000_000_000L) }));
        });
    }

    [Test]
    public async Task CopyTo_WritesEveryByte_OfAnOutputManySlicesLong()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT number, repeat('x', number % 50) FROM numbers(100000)";

        using var result = await command.ExecuteRawAsync("TSV");
        using var copy = new MemoryStream();
        await result.CopyToAsync(copy);

        Assert.That(result.Length, Is.GreaterThan(4 * ClickHouseRawResult.CopySlice));
        Assert.That(copy.ToArray(), Is.EqualTo(result.Data.ToArray()));
        var lines = Encoding.UTF8.GetString(copy.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(100_000));
        Assert.That(lines[^1], Is.EqualTo("99999\t" + new string('x', 99_999 % 50)));
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
    public void Synchronous_WorksAndTheBytesAreGoneAfterDispose()
    {
        using var command = Connection.CreateCommand();
        command.CommandText = "SELECT 'a,b' AS x, 2 AS y";

        var result = command.ExecuteRaw("CSVWithNames");
        var text = Encoding.UTF8.GetString(result.Data.Span);
        result.Dispose();

        Assert.That(text, Is.EqualTo("\"x\",\"y\"\n\"a,b\",2\n"));
        Assert.Throws<ObjectDisposedException>(() => _ = result.Data);
    }

    [Test]
    public async Task TheNextReader_StillGetsRows()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT 41 + 1";
        using (await command.ExecuteRawAsync("JSONEachRow"))
        {
        }

        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo((ushort)42));
    }
}
