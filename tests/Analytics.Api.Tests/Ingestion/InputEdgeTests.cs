using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>Inputs at and past the edges of what ingestion accepts: timestamps, bodies, lengths and amounts.</summary>
public sealed class InputEdgeTests
{
    private const string Workspace = "ws-edges";
    private const string AcceptedRange = "1970-01-01T00:00:00.000Z and 2149-06-06T23:59:59.999Z";
    private static readonly Guid Product = Guid.Parse("3c90c3cc-0d44-4b50-8888-8dd25736052a");

    private readonly LogCapture logs = new();
    private AnalyticsFactory factory = null!;
    private WebApplicationFactory<Program> logged = null!;
    private string key = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(InputEdgeTests));
        logged = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        key = await factory.CreateKeyAsync(Workspace, ["ingest"]);
        client = factory.CreateClient(key);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        client.Dispose();
        await logged.DisposeAsync();
        await factory.DisposeAsync();
    }

    [TestCase("1969-12-31T23:59:59.999Z")]
    [TestCase("1970-01-01T00:30:00+01:00")]
    [TestCase("2149-06-07T00:00:00Z")]
    [TestCase("2150-01-01T00:00:00Z")]
    [TestCase("2200-01-01T00:00:00Z")]
    [TestCase("0001-01-01T00:00:00Z")]
    [TestCase("9999-12-31T23:59:59.999Z")]
    public async Task TimestampsTheRollupsCannotHold_AreQuarantinedWithTheAcceptedRange(string timestamp)
    {
        var id = "range-out-" + timestamp;
        var ndjson = await (await client.PostAsync("/v1/events", Events.Ndjson(Dated(id, timestamp)))).JsonAsync();
        var array = await (await client.PostAsync("/v1/events", new StringContent($"[{Dated(id + "-a", timestamp)}]", Encoding.UTF8, "application/json"))).JsonAsync();

        Assert.Multiple(() =>
        {
            foreach (var body in new[] { ndjson, array })
            {
                Assert.That(body.GetProperty("accepted").GetInt32(), Is.Zero);
                Assert.That(body.GetProperty("quarantined").GetInt32(), Is.EqualTo(1));
                Assert.That(body.GetProperty("errors")[0].GetProperty("error").GetString(), Does.Contain(AcceptedRange));
            }
        });
        await using var connection = await factory.OpenConnectionAsync();
        var parameters = new DynamicParameters(new { id }) { RemoveUnused = false };
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE startsWith(event_id, {id:String})", parameters), Is.Zero);
        Assert.That(
            await connection.QueryAsync<string>("SELECT reason FROM quarantine WHERE workspace_id = 'ws-edges' AND position(raw, {id:String}) > 0", parameters),
            Has.Exactly(2).Contains(AcceptedRange));
    }

    [TestCase("1970-01-01T00:00:00.000Z", "1970-01-01")]
    [TestCase("1970-01-01T01:00:00+01:00", "1970-01-01")]
    [TestCase("2149-06-06T23:59:59.999Z", "2149-06-06")]
    [TestCase("2149-06-07T01:59:59.999+02:00", "2149-06-06")]
    public async Task TimestampsAtTheEdgesOfTheRange_AreStoredOnTheirOwnUtcDayInEveryTable(string timestamp, string day)
    {
        var id = "range-in-" + timestamp;
        var user = "edge-user-" + timestamp;
        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(Dated(id, timestamp, user)))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(1), body.ToString());
        await using var connection = await factory.OpenConnectionAsync();
        var parameters = new DynamicParameters(new { user, prompt = id }) { RemoveUnused = false };
        var days = await connection.QuerySingleAsync<(string Raw, string Prompt, string Product, string User)>("""
            SELECT (SELECT toString(toDate(timestamp)) FROM events WHERE user_id = {user:String}),
                   (SELECT toString(day) FROM prompt_daily WHERE prompt_id = {prompt:String}),
                   (SELECT toString(day) FROM product_user_daily WHERE user_id = {user:String}),
                   (SELECT toString(day) FROM user_institution_daily WHERE user_id = {user:String})
            """, parameters);
        Assert.That(days, Is.EqualTo((day, day, day, day)));
    }

    [TestCase("not gzip at all")]
    [TestCase("truncated")]
    [TestCase("trailer cut")]
    [TestCase("bytes after its end")]
    public async Task ACorruptOrTruncatedGzipBody_Is400_StoresNothing_AndLogsNoError(string corruption)
    {
        var prefix = "gz-bad-" + corruption.Replace(' ', '-') + "-";
        var lines = string.Concat(Enumerable.Range(0, 2000).Select(i => Events.Line(prefix + i) + "\n"));
        var zipped = Gzip(Encoding.UTF8.GetBytes(lines));
        byte[] sent = corruption switch
        {
            "not gzip at all" => Encoding.UTF8.GetBytes(lines),
            "truncated" => zipped[..(zipped.Length / 2)],
            "trailer cut" => zipped[..^4],
            _ => [.. zipped, .. "trailing"u8],
        };
        using var content = new ByteArrayContent(sent);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        content.Headers.ContentEncoding.Add("gzip");
        using var sender = logged.CreateClient();
        sender.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var response = await sender.PostAsync("/v1/events", content);

        var body = await response.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("error").GetString(), Does.Contain("gzip"));
            Assert.That(logs.Entries.Where(e => e.Level >= LogLevel.Error || e.Exception is not null), Is.Empty);
        });
        await using var connection = await factory.OpenConnectionAsync();
        var parameters = new DynamicParameters(new { prefix }) { RemoveUnused = false };
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE startsWith(event_id, {prefix:String})", parameters), Is.Zero);
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM quarantine WHERE position(raw, {prefix:String}) > 0", parameters), Is.Zero);
    }

    [Test]
    public async Task AGzipBodyOfNothing_StoresNothing_AndIsNoError()
    {
        using var content = new ByteArrayContent(Gzip([]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await client.PostAsync("/v1/events", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task AWholeGzipBody_OfTwoMembers_IsStoredWhole()
    {
        var first = Gzip(Encoding.UTF8.GetBytes(Events.Line("gz-two-1") + "\n"));
        var second = Gzip(Encoding.UTF8.GetBytes(Events.Line("gz-two-2") + "\n"));
        using var content = new ByteArrayContent([.. first, .. second]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        content.Headers.ContentEncoding.Add("gzip");

        var body = await (await client.PostAsync("/v1/events", content)).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
    }

    private static readonly string Emoji64 = string.Concat(Enumerable.Repeat("😀", 64));

    [Test]
    public async Task BoundedTexts_CountCharacters_NotUtf16Units()
    {
        var atLimit = new[]
        {
            Events.Line(Emoji64),
            Events.Line("cp-user", user: string.Concat(Enumerable.Repeat("😀", 256))),
            Events.Line("cp-email", extra: $"\"user_email\":\"{string.Concat(Enumerable.Repeat("😀", 320))}\""),
            Events.Line("cp-model", extra: $"\"model\":\"{string.Concat(Enumerable.Repeat("𝔪", 256))}\""),
        };
        var overLimit = new[]
        {
            Events.Line(Emoji64 + "😀"),
            Events.Line("cp-user-over", user: string.Concat(Enumerable.Repeat("😀", 257))),
            Events.Line("cp-email-over", extra: $"\"user_email\":\"{string.Concat(Enumerable.Repeat("😀", 321))}\""),
        };

        var accepted = await (await client.PostAsync("/v1/events", Events.Ndjson(atLimit))).JsonAsync();
        var refused = await (await client.PostAsync("/v1/events", Events.Ndjson(overLimit))).JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(accepted.GetProperty("accepted").GetInt32(), Is.EqualTo(4), accepted.ToString());
            Assert.That(refused.GetProperty("quarantined").GetInt32(), Is.EqualTo(3));
            Assert.That(refused.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("error").GetString()), Is.EqualTo(new[]
            {
                "event_id is longer than 64 characters", "user_id is longer than 256 characters", "user_email is longer than 320 characters",
            }));
        });
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT lengthUTF8(event_id) FROM events WHERE event_id = {id:String}",
            new DynamicParameters(new { id = Emoji64 }) { RemoveUnused = false }), Is.EqualTo(64UL));
    }

    [Test]
    public async Task AdminTexts_CountCharacters_NotUtf16Units()
    {
        using var admin = factory.CreateClient(AnalyticsFactory.AdminToken);
        admin.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);

        var workspace = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = Emoji64, scopes = new[] { "read" } });
        var workspaceOver = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = Emoji64 + "😀", scopes = new[] { "read" } });
        var history = await admin.PostAsJsonAsync("/v1/histories/forget", new { history_ids = new[] { string.Concat(Enumerable.Repeat("😀", 256)) } });
        var historyOver = await admin.PostAsJsonAsync("/v1/histories/forget", new { history_ids = new[] { string.Concat(Enumerable.Repeat("😀", 257)) } });

        Assert.Multiple(async () =>
        {
            Assert.That(workspace.StatusCode, Is.EqualTo(HttpStatusCode.Created), await workspace.Content.ReadAsStringAsync());
            Assert.That(workspaceOver.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(history.StatusCode, Is.EqualTo(HttpStatusCode.OK), await history.Content.ReadAsStringAsync());
            Assert.That(historyOver.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [TestCase("event_id")]
    [TestCase("user_id")]
    [TestCase("model")]
    [TestCase("history_id")]
    public async Task AnEscapedLoneSurrogate_IsQuarantined_AndTheOtherLinesAreStored(string field)
    {
        var id = "surrogate-" + field;
        var bad = Events.Line(id + "-bad");
        bad = field switch
        {
            "event_id" => bad.Replace(id + "-bad", "x\\ud800y"),
            "user_id" => bad.Replace("\"user_id\":\"u1\"", "\"user_id\":\"u\\udc00\""),
            _ => bad.TrimEnd('}') + $",\"{field}\":\"\\ud83d\"}}",
        };
        var response = await client.PostAsync("/v1/events", Events.Ndjson(bad, Events.Line(id + "-ok")));

        var body = await response.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("quarantined").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("errors")[0].GetProperty("error").GetString(), Does.StartWith(field + " is not valid text"));
        });
    }

    [TestCase("999999999.999999999", "999999999.999999", true)]
    [TestCase("1000000000", "1", false)]
    [TestCase("1e9", "1", false)]
    [TestCase("1", "1000000000", false)]
    public async Task Amounts_AreAcceptedBelow1e9_AsTheDocumentSays(string cost, string credits, bool stored)
    {
        var id = $"amount-{cost}-{credits}";
        var line = $"{{\"event_id\":\"{id}\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"cost\":{cost},\"credits\":{credits}}}";

        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(line))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(stored ? 1 : 0), body.ToString());
        if (stored)
        {
            await using var connection = await factory.OpenConnectionAsync();
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT concat(toString(cost), '|', toString(credits)) FROM events WHERE event_id = {id:String}",
                new DynamicParameters(new { id }) { RemoveUnused = false }), Is.EqualTo($"{cost}|{credits}"));
        }
    }

    private static string Dated(string id, string timestamp, string user = "u-range") =>
        Events.Line(id, timestamp, user, prompt: id, extra: $"\"product_id\":\"{Product}\"");

    private static byte[] Gzip(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return compressed.ToArray();
    }
}
