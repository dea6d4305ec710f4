using System.Net.Sockets;
using Analytics.ClickHouse.Transport.Http;

namespace Analytics.ClickHouse.Tests.Transport.Http;

public sealed class HttpRetryRulesTests
{
    [TestCase("SELECT 1")]
    [TestCase("  select 1")]
    [TestCase("-- why\nSELECT 1")]
    [TestCase("# why\nSHOW TABLES")]
    [TestCase("/* why */ WITH a AS (SELECT 1) SELECT * FROM a")]
    [TestCase("(SELECT 1) UNION ALL (SELECT 2)")]
    [TestCase("DESCRIBE TABLE t")]
    [TestCase("DESC t")]
    [TestCase("EXISTS TABLE t")]
    [TestCase("EXPLAIN SELECT 1")]
    [TestCase("\n\tSelect\n1")]
    public void ReadStatements_AreReadOnly(string sql) =>
        Assert.That(HttpRetryRules.IsReadOnly(sql), Is.True);

    [TestCase("INSERT INTO t SELECT 1")]
    [TestCase("CREATE TABLE t (a UInt8) ENGINE = Memory")]
    [TestCase("ALTER TABLE t DELETE WHERE 1")]
    [TestCase("KILL QUERY WHERE query_id = 'x'")]
    [TestCase("OPTIMIZE TABLE t")]
    [TestCase("SELECTED")]
    [TestCase("SELECT_x")]
    [TestCase("-- SELECT 1")]
    [TestCase("/* SELECT 1")]
    [TestCase("/* SELECT */ DROP TABLE t")]
    [TestCase("")]
    public void OtherStatements_AreNot(string sql) =>
        Assert.That(HttpRetryRules.IsReadOnly(sql), Is.False);

    [TestCase(502, null)]
    [TestCase(503, null)]
    [TestCase(504, null)]
    [TestCase(500, 202)]
    [TestCase(500, 209)]
    [TestCase(500, 210)]
    [TestCase(500, 216)]
    [TestCase(500, 242)]
    public void TransientFailures_OfReads_AreRetried(int status, int? code) =>
        Assert.That(HttpRetryRules.ShouldRetry(status, code, readOnly: true), Is.True);

    [TestCase(503, null)]
    [TestCase(500, 202)]
    public void TransientFailures_OfWrites_AreNot(int status, int? code) =>
        Assert.That(HttpRetryRules.ShouldRetry(status, code, readOnly: false), Is.False);

    [TestCase(500, 319)] // UNKNOWN_STATUS_OF_INSERT
    [TestCase(503, 319)]
    [TestCase(404, 60)] // UNKNOWN_TABLE
    [TestCase(400, 62)] // SYNTAX_ERROR
    [TestCase(408, 159)] // TIMEOUT_EXCEEDED
    [TestCase(500, null)]
    [TestCase(200, 202)]
    public void StatementFailures_AreNeverRetried(int status, int? code) =>
        Assert.That(HttpRetryRules.ShouldRetry(status, code, readOnly: true), Is.False);

    [TestCase(SocketError.ConnectionRefused)]
    [TestCase(SocketError.HostNotFound)]
    [TestCase(SocketError.TryAgain)]
    [TestCase(SocketError.NetworkUnreachable)]
    public void ConnectFailures_AreRetried(SocketError error) =>
        Assert.That(HttpRetryRules.IsConnectFailure(ConnectFailure(error)), Is.True);

    [Test]
    public void FailuresAfterTheConnectionWasUp_AreNot()
    {
        var midRequest = new HttpRequestException(
            HttpRequestError.Unknown, "reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)));

        Assert.Multiple(() =>
        {
            Assert.That(HttpRetryRules.IsConnectFailure(midRequest), Is.False);
            Assert.That(HttpRetryRules.IsConnectFailure(ConnectFailure(SocketError.ConnectionReset)), Is.False);
            Assert.That(HttpRetryRules.IsConnectFailure(new HttpRequestException("no inner")), Is.False);
            Assert.That(HttpRetryRules.IsConnectFailure(new TaskCanceledException()), Is.False);
        });
    }

    private static HttpRequestException ConnectFailure(SocketError error) =>
        new(HttpRequestError.ConnectionError, "connect failed", new SocketException((int)error));
}
