using System.Text;
using Analytics.Api.Features.Shared;
using Analytics.ClickHouse.ADO;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.Api.Tests.Features;

/// <summary>An answer whose JSON the engine writes, passed on block by block.</summary>
public sealed class EngineJsonTests
{
    private ClickHouseConnection? connection;

    [OneTimeSetUp]
    public async Task Open()
    {
        connection = new ClickHouseConnection($"Engine=Embedded;Path={Path.Combine(AnalyticsFactory.DataPath, "clickhouse")};Database=default");
        await connection.OpenAsync();
    }

    [OneTimeTearDown]
    public async Task Close() => await connection!.DisposeAsync();

    [Test]
    public async Task RowsOfManyBlocks_ArriveAsOneJsonArray()
    {
        var (context, lifetime, body) = NewContext();
        var served = false;

        var answer = await EngineJson<Row>.RunAsync(Command("SELECT number AS n, toString(number) AS s FROM numbers(50000)"), () => served = true, CancellationToken.None);
        await answer.ExecuteAsync(context);

        using var json = JsonDocument.Parse(body.ToArray());
        var rows = json.RootElement.EnumerateArray().Select(r => (r.GetProperty("n").GetUInt64(), r.GetProperty("s").GetString())).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(context.Response.StatusCode, Is.EqualTo(200));
            Assert.That(context.Response.ContentType, Is.EqualTo("application/json; charset=utf-8"));
            Assert.That(rows, Is.EqualTo(Enumerable.Range(0, 50_000).Select(i => ((ulong)i, i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            Assert.That(served, Is.True);
            Assert.That(lifetime.Aborted, Is.False);
        });
    }

    [Test]
    public async Task AFailurePartWay_CutsTheConnection_AndIsNotCountedAsServed()
    {
        var (context, lifetime, body) = NewContext();
        var served = false;

        // The first blocks are fine; the engine fails on a later one, after the answer has begun.
        var answer = await EngineJson<Row>.RunAsync(Command("SELECT number AS n, toString(throwIf(number = 30000)) AS s FROM numbers(50000)"), () => served = true, CancellationToken.None);
        await answer.ExecuteAsync(context);

        var written = Encoding.UTF8.GetString(body.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(lifetime.Aborted, Is.True);
            Assert.That(served, Is.False);
            Assert.That(written, Does.StartWith("[\n{\"n\":0,"));
            Assert.That(written, Does.Not.EndWith("]\n"));
        });
    }

    private ClickHouseCommand Command(string sql)
    {
        var command = connection!.CreateCommand();
        command.CommandText = sql;
        command.Settings["max_block_size"] = "1000";
        return command;
    }

    private static (DefaultHttpContext Context, Lifetime Lifetime, MemoryStream Body) NewContext()
    {
        var lifetime = new Lifetime();
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        context.Response.Body = body;
        return (context, lifetime, body);
    }

    public sealed record Row(ulong N, string S);

    private sealed class Lifetime : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; } = CancellationToken.None;

        public void Abort() => Aborted = true;
    }
}
