using System.Net.Http.Headers;
using System.Text;

namespace Analytics.Api.Tests.Ingestion;

public sealed class IngestionTests
{
    private AnalyticsFactory factory = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(IngestionTests));
        client = factory.CreateClient(await factory.CreateKeyAsync("ws-ingest", ["ingest"]));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Test]
    public async Task ValidLines_AreStored_InvalidOnesQuarantinedWithLineAndReason()
    {
        var response = await client.PostAsync("/v1/events", Events.Ndjson(
            Events.Line("v-1"),
            "not json",
            Events.Line("v-2", user: "u2"),
            "{\"event_id\":\"v-3\",\"timestamp\":\"2026-01-15T10:00:00Z\"}"));

        var body = await response.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
            Assert.That(body.GetProperty("quarantined").GetInt32(), Is.EqualTo(2));
            Assert.That(body.GetProperty("errors")[0].GetProperty("line").GetInt32(), Is.EqualTo(2));
            Assert.That(body.GetProperty("errors")[1].GetProperty("line").GetInt32(), Is.EqualTo(4));
            Assert.That(body.GetProperty("errors")[1].GetProperty("error").GetString(), Is.EqualTo("user_id is required"));
        });

        await using var connection = await factory.OpenConnectionAsync();
        var stored = await connection.QueryAsync<string>("SELECT event_id FROM events WHERE workspace_id = 'ws-ingest' AND event_id LIKE 'v-%' ORDER BY event_id");
        var quarantined = (await connection.QueryAsync<(uint Line, string Raw, string Reason)>(
            "SELECT line, raw, reason FROM quarantine WHERE workspace_id = 'ws-ingest' AND raw IN ('not json', '{\"event_id\":\"v-3\",\"timestamp\":\"2026-01-15T10:00:00Z\"}') ORDER BY line")).ToList();
        Assert.That(stored, Is.EqualTo(new[] { "v-1", "v-2" }));
        Assert.That(quarantined, Has.Count.EqualTo(2));
        Assert.That(quarantined[0].Raw, Is.EqualTo("not json"));
        Assert.That(quarantined[1].Reason, Is.EqualTo("user_id is required"));
    }

    private static readonly (string Line, string Reason)[] Invalid =
    [
        ("{\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\"}", "event_id is required"),
        ("{\"event_id\":\"\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\"}", "event_id must not be empty"),
        ($"{{\"event_id\":\"{new string('x', 65)}\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\"}}", "event_id is longer than 64 characters"),
        ("{\"event_id\":\"a\",\"user_id\":\"u\"}", "timestamp is required"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00\",\"user_id\":\"u\"}", "timestamp must be an RFC 3339"),
        ("{\"event_id\":\"a\",\"timestamp\":\"yesterday\",\"user_id\":\"u\"}", "timestamp must be an RFC 3339"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\"}", "user_id is required"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":5}", "user_id must be a string"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"product_id\":\"nope\"}", "product_id must be a UUID"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"user_role\":\"root\"}", "user_role must be one of user, admin, super"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"origin\":\"EMAIL\"}", "origin must be one of APP, SLACK, API_KEY"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"status\":\"maybe\"}", "status must be one of ok, error"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"input_tokens\":-1}", "input_tokens must be a non-negative integer"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"output_tokens\":1.5}", "output_tokens must be a non-negative integer"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"latency_ms\":\"9\"}", "latency_ms must be a non-negative integer"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"cost\":-0.01}", "cost must be a non-negative number"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"credits\":0.0000001}", "credits has more than 6 decimal places"),
        ($"{{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"user_email\":\"{new string('e', 321)}\"}}", "user_email is longer than 320 characters"),
        ($"{{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"model\":\"{new string('m', 257)}\"}}", "model is longer than 256 characters"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"cache_read_tokens\":-1}", "cache_read_tokens must be a non-negative integer"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"reasoning_tokens\":\"5\"}", "reasoning_tokens must be a non-negative integer"),
        ($"{{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\",\"provider\":\"{new string('p', 257)}\"}}", "provider is longer than 256 characters"),
        ("[1,2]", "line is not a JSON object"),
        ("{\"event_id\":\"a\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user_id\":\"u\"} {}", "line is not valid JSON"),
    ];

    public static IEnumerable<TestCaseData> InvalidCases() => Invalid.Select(c => new TestCaseData(c.Line, c.Reason).SetArgDisplayNames(c.Reason));

    [TestCaseSource(nameof(InvalidCases))]
    public async Task EachValidationRule_QuarantinesTheLineWithItsReason(string line, string reason)
    {
        var response = await client.PostAsync("/v1/events", Events.Ndjson(line));

        var body = await response.JsonAsync();
        Assert.That(body.GetProperty("accepted").GetInt32(), Is.Zero);
        Assert.That(body.GetProperty("quarantined").GetInt32(), Is.EqualTo(1));
        Assert.That(body.GetProperty("errors")[0].GetProperty("error").GetString(), Does.StartWith(reason));
    }

    [Test]
    public async Task OptionalFields_AndUnknownFields_AreAccepted()
    {
        var product = Guid.NewGuid();
        var line = Events.Line("opt-1", timestamp: "2026-01-15T12:30:45.123456+02:00", prompt: "pr", cost: 0.125m, credits: 2.5m, history: "h-1", extra:
            $"\"product_id\":\"{product}\",\"product_name\":\"Prod\",\"user_email\":\"a@b.c\",\"user_fname\":\"A\",\"user_lname\":\"B\"," +
            "\"user_role\":\"super\",\"account_id\":\"acc\",\"institution_id\":\"inst\",\"instance_name\":\"i\",\"ai_name\":\"ai\"," +
            "\"origin\":\"SLACK\",\"model\":\"gpt\",\"input_tokens\":10,\"output_tokens\":20,\"status\":\"error\",\"latency_ms\":99,\"whatever\":{\"x\":[1]}");

        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(line))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
        await using var connection = await factory.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(DateTime Timestamp, Guid Product, string Origin, string Role, uint Tokens)>(
            "SELECT timestamp, product_id, origin, user_role, input_tokens + output_tokens FROM events WHERE event_id = 'opt-1'");
        Assert.That(row, Is.EqualTo((new DateTime(2026, 1, 15, 10, 30, 45, 123, DateTimeKind.Utc), product, "SLACK", "super", 30u)));

        // Every field in its own column.
        var columns = await connection.ExecuteScalarAsync<string>(
            "SELECT arrayStringConcat([user_id, prompt_id, product_name, user_email, user_fname, user_lname, user_role, account_id, institution_id, " +
            "instance_name, ai_name, origin, history_id, model, status, toString(input_tokens), toString(output_tokens), toString(latency_ms), " +
            "toString(cost), toString(credits)], '|') FROM events WHERE event_id = 'opt-1'");
        Assert.That(columns, Is.EqualTo("u1|pr|Prod|a@b.c|A|B|super|acc|inst|i|ai|SLACK|h-1|gpt|error|10|20|99|0.125|2.5"));
    }

    [Test]
    public async Task GenAiFields_ProviderOperationAndCacheAndReasoningTokens_AreStoredInTheirColumns()
    {
        var line = Events.Line("genai-1", extra:
            "\"provider\":\"anthropic\",\"operation\":\"chat\",\"cache_read_tokens\":300,\"cache_creation_tokens\":40,\"reasoning_tokens\":7");

        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(line, Events.Line("genai-2")))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
        await using var connection = await factory.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string Id, string Provider, string Operation, uint CacheRead, uint CacheCreation, uint Reasoning)>(
            "SELECT event_id, provider, operation, cache_read_tokens, cache_creation_tokens, reasoning_tokens FROM events " +
            "WHERE workspace_id = 'ws-ingest' AND event_id LIKE 'genai-%' ORDER BY event_id")).ToList();
        Assert.That(rows, Is.EqualTo(new[] { ("genai-1", "anthropic", "chat", 300u, 40u, 7u), ("genai-2", "", "", 0u, 0u, 0u) }));
    }

    [Test]
    public async Task RepeatedEscapedAndNonAsciiTexts_AreStoredAsSent()
    {
        // The same user in three spellings of the same JSON text, and two users that differ by one character.
        var lines = new[]
        {
            Events.Line("txt-1", user: "u-zoë", extra: "\"user_fname\":\"Zoë\",\"user_email\":\"zoë@example.org\""),
            Events.Line("txt-2", user: "u-zo\\u00eb", extra: "\"user_fname\":\"Zo\\u00eb\",\"user_email\":\"zo\\u00eb@example.org\""),
            Events.Line("txt-3", user: "u-zoë", extra: "\"user_fname\":\"Zoë\",\"user_email\":\"zoë@example.org\""),
            Events.Line("txt-4", user: "u-zoe", extra: "\"user_fname\":\"Zoe\",\"user_email\":\"zoe@example.org\""),
        };

        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(lines))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(4));
        await using var connection = await factory.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string Id, string User, string Fname, string Email)>(
            "SELECT event_id, user_id, user_fname, user_email FROM events WHERE event_id LIKE 'txt-%' ORDER BY event_id")).ToList();
        Assert.That(rows, Is.EqualTo(new[]
        {
            ("txt-1", "u-zoë", "Zoë", "zoë@example.org"),
            ("txt-2", "u-zoë", "Zoë", "zoë@example.org"),
            ("txt-3", "u-zoë", "Zoë", "zoë@example.org"),
            ("txt-4", "u-zoe", "Zoe", "zoe@example.org"),
        }));
    }

    [Test]
    public async Task FieldNamesWithEscapes_AreReadLikeThePlainOnes()
    {
        var line = "{\"event\\u005fid\":\"esc-1\",\"timestamp\":\"2026-01-15T10:00:00Z\",\"user\\u005Fid\":\"u-esc\"," +
                   "\"\\u006dodel\":\"m-esc\",\"input_tokens\":7,\"mode\":\"ignored\",\"models\":\"ignored\"}";

        var body = await (await client.PostAsync("/v1/events", Events.Ndjson(line))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
        await using var connection = await factory.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(string User, string Model, uint Tokens)>(
            "SELECT user_id, model, input_tokens FROM events WHERE event_id = 'esc-1'");
        Assert.That(row, Is.EqualTo(("u-esc", "m-esc", 7u)));
    }

    [Test]
    public async Task InvalidUtf8_IsQuarantined_AndTheOtherLinesAreStored()
    {
        var good = Encoding.UTF8.GetBytes(Events.Line("utf-ok") + "\n");
        var bad = Encoding.UTF8.GetBytes(Events.Line("utf-bad", user: "u-XX") + "\n");
        var at = bad.AsSpan().IndexOf("XX"u8);
        bad[at] = 0xC3; // a lead byte followed by one that cannot continue it
        bad[at + 1] = 0x28;
        using var content = new ByteArrayContent([.. bad, .. good]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var array = new ByteArrayContent([(byte)'[', .. bad.AsSpan(0, bad.Length - 1), (byte)']']);
        array.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await client.PostAsync("/v1/events", content);
        var arrayResponse = await client.PostAsync("/v1/events", array);

        var body = await response.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("quarantined").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("errors")[0].GetProperty("line").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("errors")[0].GetProperty("error").GetString(), Is.EqualTo("line is not valid UTF-8"));
            Assert.That(arrayResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        var arrayBody = await arrayResponse.JsonAsync();
        Assert.That(arrayBody.GetProperty("errors")[0].GetProperty("error").GetString(), Is.EqualTo("body is not valid UTF-8"));
    }

    [TestCase("2026-01-15T10:00:00Z", "2026-01-15 10:00:00.000")]
    [TestCase("2026-01-15t11:00:00.1234+01:00", "2026-01-15 10:00:00.123")]
    [TestCase("2026-01-15 09:00:00-01:00", "2026-01-15 10:00:00.000")]
    public async Task Rfc3339Timestamps_AreStoredAsUtcMilliseconds(string timestamp, string stored)
    {
        var id = "ts-" + Math.Abs(timestamp.GetHashCode(StringComparison.Ordinal));
        var body = await (await client.PostAsync("/v1/events", Events.Ndjson("{\"event_id\":\"" + id + "\",\"timestamp\":\"" + timestamp + "\",\"user_id\":\"u\"}"))).JsonAsync();

        Assert.That(body.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(
            await connection.ExecuteScalarAsync<string>("SELECT toString(timestamp) FROM events WHERE event_id = {id:String}", new DynamicParameters(new { id }) { RemoveUnused = false }),
            Is.EqualTo(stored));
    }

    [Test]
    public async Task JsonArrays_AndSingleObjects_AndGzip_AreAccepted()
    {
        var array = new StringContent($"[{Events.Line("arr-1")},{{\"bad\":true}},{Events.Line("arr-2")}]", Encoding.UTF8, "application/json");
        var single = new StringContent(Events.Line("obj-1"), Encoding.UTF8, "application/json");
        var zipped = Events.Gzipped(Encoding.UTF8.GetBytes(Events.Line("gz-1") + "\n" + Events.Line("gz-2") + "\n"));

        var arrayBody = await (await client.PostAsync("/v1/events", array)).JsonAsync();
        var singleBody = await (await client.PostAsync("/v1/events", single)).JsonAsync();
        var zippedBody = await (await client.PostAsync("/v1/events", zipped)).JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(arrayBody.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
            Assert.That(arrayBody.GetProperty("errors")[0].GetProperty("line").GetInt32(), Is.EqualTo(2));
            Assert.That(singleBody.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
            Assert.That(zippedBody.GetProperty("accepted").GetInt32(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ARequestThatDoesNotWait_CountsItsOwnRepeatsAndKnownIds_AsDuplicates()
    {
        await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("rp-1")));

        var response = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("rp-1"), Events.Line("rp-2"), Events.Line("rp-2"), Events.Line("rp-3")));
        var body = await response.JsonAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32()), Is.EqualTo((2, 2)));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(
            async () => await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'rp-%'"),
            Is.EqualTo(3UL).After(10_000, 50));
    }

    [Test]
    public async Task Duplicates_InsideARequest_AcrossRequests_AndInOneBatch_CountOnce()
    {
        var first = await (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("d-1"), Events.Line("d-1"), Events.Line("d-2")))).JsonAsync();
        var again = await (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("d-2"), Events.Line("d-3")))).JsonAsync();

        // Two concurrent requests with the same id land in one batch: one is stored, the other is a duplicate.
        var concurrent = await Task.WhenAll(
            client.PostAsync("/v1/events", Events.Ndjson(Events.Line("d-4"))),
            client.PostAsync("/v1/events", Events.Ndjson(Events.Line("d-4"))));
        var bodies = await Task.WhenAll(concurrent.Select(r => r.JsonAsync()));

        Assert.Multiple(() =>
        {
            Assert.That((first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()), Is.EqualTo((2, 1)));
            Assert.That((again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()), Is.EqualTo((1, 1)));
            Assert.That(bodies.Sum(b => b.GetProperty("accepted").GetInt32()), Is.EqualTo(1));
            Assert.That(bodies.Sum(b => b.GetProperty("duplicates").GetInt32()), Is.EqualTo(1));
        });
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'd-%'"), Is.EqualTo(4UL));
    }

    [Test]
    public async Task SameEventId_InAnotherWorkspace_IsNotADuplicate()
    {
        using var other = factory.CreateClient(await factory.CreateKeyAsync("ws-other", ["ingest"]));

        var mine = await (await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("shared-1")))).JsonAsync();
        var theirs = await (await other.PostAsync("/v1/events", Events.Ndjson(Events.Line("shared-1")))).JsonAsync();

        Assert.That(mine.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
        Assert.That(theirs.GetProperty("accepted").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task WaitFalse_Answers202_AndTheEventsArriveSoon()
    {
        var response = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("nw-1"), Events.Line("nw-2")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(2));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(
            async () => await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'nw-%'"),
            Is.EqualTo(2UL).After(5000, 50));
    }

    [Test]
    public async Task Credentials_AreChecked()
    {
        using var anonymous = factory.CreateClient();
        using var reader = factory.CreateClient(await factory.CreateKeyAsync("ws-ingest", ["read"]));
        using var revoked = factory.CreateClient();
        var secret = await factory.CreateKeyAsync("ws-ingest", ["ingest"]);
        revoked.DefaultRequestHeaders.Add("X-API-Key", secret);
        var accepted = await revoked.PostAsync("/v1/events", Events.Ndjson(Events.Line("cred-1")));
        await RevokeAsync(secret);

        Assert.Multiple(async () =>
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await anonymous.PostAsync("/v1/events", Events.Ndjson(Events.Line("cred-2")))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await reader.PostAsync("/v1/events", Events.Ndjson(Events.Line("cred-3")))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await revoked.PostAsync("/v1/events", Events.Ndjson(Events.Line("cred-4")))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    private async Task RevokeAsync(string secret)
    {
        await using var connection = await factory.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<string>(
            "SELECT id FROM api_keys FINAL WHERE key_hash = {h:String}", new DynamicParameters(new { h = Analytics.Api.Auth.KeySecrets.Hash(secret) }) { RemoveUnused = false });
        using var admin = factory.CreateClient(AnalyticsFactory.AdminToken);
        var response = await admin.DeleteAsync($"/v1/admin/keys/{id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }
}
