using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.ClickHouse.Tests.ADO;

/// <summary>Hostile strings travel as values and come back byte for byte; none of them runs as SQL.</summary>
[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
[TestFixture(TestEngines.Server)]
public sealed class ParameterTests(string engine)
{
    private static readonly string[] Hostile =
    [
        "it's",
        "\"double\"",
        "back\\slash",
        "trailing\\",
        "line\nbreak",
        "two\n\nbreaks",
        "\r\n",
        "tab\there",
        "nul\0byte",
        "'; DROP TABLE canary; --",
        "') OR 1=1 --",
        "{x:String}",
        "\\N",
        "\\'",
        "emoji 🚀",
        "",
    ];

    private ClickHouseConnection? connection;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open()
    {
        connection = await TestEngines.OpenDatabaseAsync(engine, nameof(ParameterTests) + "_" + engine);
        await Connection.ExecuteAsync("CREATE TABLE canary (x UInt8) ENGINE = Memory");
    }

    [OneTimeTearDown]
    public async Task Close()
    {
        // Null when the fixture was skipped for want of a server.
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Hostile))]
    public async Task HostileStrings_RoundTripExactly(string value)
    {
        var row = await Connection.QuerySingleAsync<(string Echo, ulong Length)>(
            "SELECT @v AS Echo, length(@v) AS Length", new { v = value });

        Assert.That(row.Echo, Is.EqualTo(value));
        Assert.That(row.Length, Is.EqualTo((ulong)System.Text.Encoding.UTF8.GetByteCount(value)));
        Assert.That(await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'canary'"), Is.EqualTo(1UL));
    }

    [Test]
    public async Task HostileStrings_InsideArrays_RoundTripExactly()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT {v:Array(String)}";
        command.Parameters.AddWithValue("v", Hostile);

        var echo = (string[])(await command.ExecuteScalarAsync())!;

        Assert.That(echo, Is.EqualTo(Hostile));
    }

    [Test]
    public async Task HostileStrings_AsFilterValues_MatchOnlyThemselves()
    {
        await Connection.ExecuteAsync("CREATE TABLE names (n String) ENGINE = MergeTree ORDER BY n");
        await Connection.CreateBulkWriter("names", ["n"]).WriteAsync(Hostile.Select(h => new object?[] { h }));

        foreach (var value in Hostile)
        {
            var matches = await Connection.ExecuteScalarAsync<ulong>("SELECT count() FROM names WHERE n = {v:String}", new DynamicParameters(new { v = value }) { RemoveUnused = false });
            Assert.That(matches, Is.EqualTo(1UL), value);
        }
    }

    [Test]
    public async Task NullValues_BindToNullablePlaceholders()
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "SELECT {v:Nullable(String)} IS NULL";
        command.Parameters.AddWithValue("v", null);

        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo((byte)1));
    }

    [Test]
    public void MissingParameters_AreServerErrors()
    {
        Assert.That(
            async () => await Connection.ExecuteScalarAsync<string>("SELECT {absent:String}"),
            Throws.InstanceOf<ClickHouseServerException>());
    }

    [Test]
    public async Task AtNames_InsideLiteralsAndComments_AreLeftAlone()
    {
        var row = await Connection.QuerySingleAsync<(string Literal, string Bound)>(
            "SELECT '@v' AS Literal /* @v */, @v AS Bound -- @v\n", new { v = "value" });

        Assert.That(row, Is.EqualTo(("@v", "value")));
    }

    [Test]
    public async Task DapperListExpansion_WorksWithIn()
    {
        var count = await Connection.ExecuteScalarAsync<ulong>(
            "SELECT count() FROM numbers(10) WHERE number IN @ids", new { ids = new ulong[] { 1, 3, 5 } });

        Assert.That(count, Is.EqualTo(3UL));
    }
}
