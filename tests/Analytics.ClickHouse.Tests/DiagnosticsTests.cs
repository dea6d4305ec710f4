using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.ClickHouse.Tests;

/// <summary>
/// Each statement is an activity of the provider's source. The activity wraps whichever transport the connection
/// has; the embedded one is used here, since the loopback server of the Http fixture runs each statement on the
/// embedded engine in this same process, which would show every statement twice.
/// </summary>
[TestFixture(TestEngines.Embedded)]
[NonParallelizable]
public sealed class DiagnosticsTests(string engine)
{
    private readonly ConcurrentQueue<Activity> stopped = new();
    private ClickHouseConnection? connection;
    private ActivityListener? listener;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open()
    {
        connection = await TestEngines.OpenDatabaseAsync(engine, nameof(DiagnosticsTests) + "_" + engine);
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClickHouseDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    [OneTimeTearDown]
    public async Task Close()
    {
        listener?.Dispose();
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    [SetUp]
    public void Forget() => stopped.Clear();

    [Test]
    public async Task AStatement_IsAClientActivity_NamedAfterItsVerb_WithTheConventionsTags()
    {
        await Connection.ExecuteScalarAsync<int>("SELECT {n:UInt8}", new DynamicParameters(new { n = 7 }) { RemoveUnused = false });

        var activity = Mine().Single();
        Assert.Multiple(() =>
        {
            Assert.That(activity.DisplayName, Is.EqualTo("SELECT"));
            Assert.That(activity.Kind, Is.EqualTo(ActivityKind.Client));
            Assert.That(activity.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(activity.GetTagItem("db.system.name"), Is.EqualTo("clickhouse"));
            Assert.That(activity.GetTagItem("db.query.text"), Is.EqualTo("SELECT {n:UInt8}"), "the text as written: the value travels as a parameter");
            Assert.That(activity.GetTagItem("db.clickhouse.query_id"), Is.Not.Null.And.Not.Empty);
        });
    }

    [Test]
    public async Task AnInsert_AndAFailedStatement_AreActivitiesToo()
    {
        await Connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS traced (n UInt64) ENGINE = MergeTree ORDER BY n");
        await Connection.CreateBulkWriter("traced", ["n"]).WriteAsync([new object?[] { 1UL }], CancellationToken.None);
        Assert.That(async () => await Connection.ExecuteAsync("SELECT * FROM no_such_table"), Throws.InstanceOf<DbException>());

        var activities = Mine();
        var failed = activities.Single(a => a.GetTagItem("db.query.text") as string == "SELECT * FROM no_such_table");
        Assert.Multiple(() =>
        {
            Assert.That(activities.Select(a => a.DisplayName), Is.EqualTo(new[] { "CREATE", "SELECT", "INSERT", "SELECT" }), "the writer reads the table's columns first");
            Assert.That(failed.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(failed.StatusDescription, Is.Not.Empty);
            Assert.That(failed.GetTagItem("error.type"), Is.Not.Null);
        });
    }

    [TestCase("select 1", "SELECT")]
    [TestCase("  -- why\n-- and more\n\tWITH x AS (SELECT 1) SELECT * FROM x", "WITH")]
    [TestCase("INSERT INTO t (a) VALUES", "INSERT")]
    [TestCase("-- only a comment", "clickhouse")]
    public void TheName_IsTheFirstKeywordAfterComments(string sql, string name) =>
        Assert.That(ClickHouseDiagnostics.Operation(sql), Is.EqualTo(name));

    private List<Activity> Mine() =>
        stopped.Where(a => a.GetTagItem("db.namespace") as string == Connection.Database).ToList();
}
