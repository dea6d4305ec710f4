using Analytics.ClickHouse.ADO;

namespace Analytics.ClickHouse.Tests.ADO;

public sealed class ConnectionStringTests
{
    [Test]
    public void ConnectionString_HidesThePassword()
    {
        var builder = new ClickHouseConnectionStringBuilder("Engine=Http;Url=http://db:8123;Username=u;Password=s3cret");

        Assert.That(builder.ToString(), Does.Not.Contain("s3cret").And.Contain("****"));
        Assert.That(builder.Engine, Is.EqualTo(ClickHouseEngine.Http));
    }

    [Test]
    public void Defaults_AreTheEmbeddedEngine()
    {
        var builder = new ClickHouseConnectionStringBuilder(string.Empty);

        Assert.Multiple(() =>
        {
            Assert.That(builder.Engine, Is.EqualTo(ClickHouseEngine.Embedded));
            Assert.That(builder.Database, Is.EqualTo(ClickHouseDefaults.Database));
            Assert.That(builder.Timeout, Is.EqualTo(ClickHouseDefaults.CommandTimeoutSeconds));
        });
    }
}
