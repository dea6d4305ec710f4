using System.Data;
using Analytics.ClickHouse.ADO;
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
}
