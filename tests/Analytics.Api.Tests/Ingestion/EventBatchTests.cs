using System.Text;
using Analytics.Api.Ingestion;
using Analytics.ClickHouse.Formats;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>
/// Events kept column by column from the body to the insert: what a refused line leaves behind, a field given
/// twice, the spool's records, and the block as the engine stores it.
/// </summary>
public sealed class EventBatchTests() : DatabaseTests(nameof(EventBatchTests))
{
    private const string Workspace = "ws-batch";

    private static readonly DateTime IngestedAt = new(2026, 12, 1, 8, 30, 0, 250, DateTimeKind.Utc);

    /// <summary>A line giving every field of the contract a value other than its default.</summary>
    private const string Full =
        """{"event_id":"full-1","timestamp":"2026-11-30T23:59:58.123+02:00","user_id":"u-\u00e9","prompt_id":"p-1","product_id":"3c90c3cc-0d44-4b50-8888-8dd25736052a","product_name":"Copilot","user_email":"ana@example.org","user_fname":"Ana","user_lname":"Lopes 😀","user_role":"admin","account_id":"acc-1","institution_id":"inst-1","instance_name":"eu-1","ai_name":"Helper","origin":"SLACK","history_id":"h-1","model":"gpt-x","input_tokens":4000000000,"output_tokens":7,"cost":123456789.123456789,"credits":0.000001,"status":"error","latency_ms":812,"provider":"openai","operation":"chat","cache_read_tokens":11,"cache_creation_tokens":12,"reasoning_tokens":13,"unknown":{"nested":[1,2]}}""";

    private static EventParser.Result Parse(params string[] lines) =>
        EventParser.Parse(Encoding.UTF8.GetBytes(string.Join('\n', lines)), json: false, Workspace);

    private static byte[] Block(params EventRows[] parts)
    {
        using var writer = new NativeWriter();
        EventBatch.WriteBlock(writer, parts, IngestedAt);
        return writer.WrittenSpan.ToArray();
    }

    [Test]
    public void ARefusedLine_LeavesNothingInTheColumns_WhereverItFails()
    {
        // Each refused line gives several fields before the one that fails, so its columns were written to.
        string[] refused =
        [
            Events.Line("r-1", extra: "\"model\":\"m\",\"latency_ms\":-1"),
            Events.Line("r-2", extra: "\"product_id\":\"3c90c3cc-0d44-4b50-8888-8dd25736052a\",\"user_role\":\"owner\""),
            Events.Line("r-3", extra: "\"history_id\":\"h\",\"input_tokens\":1,\"cost\":0.0000000001"),
            "{\"event_id\":\"r-4\",\"user_id\":\"u\",\"model\":\"m\"}",
            Events.Line("r-5", extra: "\"user_email\":\"a@b\"") + "{}",
        ];
        string[] valid = [Events.Line("v-1"), Full, Events.Line("v-2", extra: "\"model\":\"kept\"")];

        using var mixed = Parse([valid[0], .. refused[..3], valid[1], .. refused[3..], valid[2]]).Events;
        using var clean = Parse(valid).Events;

        Assert.Multiple(() =>
        {
            Assert.That(mixed.Count, Is.EqualTo(3));
            Assert.That(Block(new EventRows(mixed, null)), Is.EqualTo(Block(new EventRows(clean, null))));
            Assert.That(mixed.Keys, Is.EqualTo(clean.Keys));
        });
    }

    [Test]
    public void AFieldGivenTwice_KeepsItsLastValue_AndANullAfterAValue_KeepsTheValue()
    {
        using var events = Parse(
            Events.Line("t-1", extra: "\"model\":\"first\",\"latency_ms\":1,\"model\":\"last\",\"latency_ms\":2"),
            Events.Line("t-2", extra: "\"model\":\"given\",\"model\":null")).Events;

        var records = events.Records(null);

        Assert.That(records.Select(r => (r.Model, r.LatencyMs)), Is.EqualTo(new[] { ("last", 2u), ("given", 0u) }));
    }

    [Test]
    public void Records_GiveBackEveryField_AndWriteTheSameBlockAgain()
    {
        using var events = Parse(Events.Line("plain"), Full).Events;

        var records = events.Records(null);
        using var again = EventBatch.From(Workspace, records);

        var full = records[1];
        Assert.Multiple(() =>
        {
            Assert.That(records[0].UserRole, Is.EqualTo("user"));
            Assert.That(records[0].Origin, Is.EqualTo("APP"));
            Assert.That(records[0].Status, Is.EqualTo("ok"));
            Assert.That(records[0].ProductId, Is.EqualTo(Guid.Empty));
            Assert.That(full.WorkspaceId, Is.EqualTo(Workspace));
            Assert.That(full.EventId, Is.EqualTo("full-1"));
            Assert.That(full.Timestamp, Is.EqualTo(new DateTime(2026, 11, 30, 21, 59, 58, 123, DateTimeKind.Utc)));
            Assert.That(full.UserId, Is.EqualTo("u-é"));
            Assert.That(full.ProductId, Is.EqualTo(Guid.Parse("3c90c3cc-0d44-4b50-8888-8dd25736052a")));
            Assert.That(full.UserLname, Is.EqualTo("Lopes 😀"));
            Assert.That((full.UserRole, full.Origin, full.Status), Is.EqualTo(("admin", "SLACK", "error")));
            Assert.That((full.InputTokens, full.OutputTokens, full.LatencyMs), Is.EqualTo((4_000_000_000u, 7u, 812u)));
            Assert.That((full.Cost, full.Credits), Is.EqualTo((123456789.123456789m, 0.000001m)));
            Assert.That((full.Provider, full.Operation), Is.EqualTo(("openai", "chat")));
            Assert.That((full.CacheReadTokens, full.CacheCreationTokens, full.ReasoningTokens), Is.EqualTo((11u, 12u, 13u)));
            Assert.That(Block(new EventRows(again, null)), Is.EqualTo(Block(new EventRows(events, null))));
            Assert.That(again.Keys, Is.EqualTo(events.Keys));
            Assert.That(events.Keys[1], Is.EqualTo(DedupIndex.Key(Workspace, "full-1")));
        });
    }

    [Test]
    public void SomeRowsOfABatch_AreWrittenAsABatchOfThoseAlone()
    {
        string[] lines = [Events.Line("s-0"), Full, Events.Line("s-2", extra: "\"model\":\"m2\""), Events.Line("s-3", history: "h3")];
        using var all = Parse(lines).Events;
        using var picked = Parse(lines[1], lines[3]).Events;
        using var other = EventParser.Parse(Encoding.UTF8.GetBytes(lines[2]), json: false, "ws-other").Events;

        Assert.Multiple(() =>
        {
            Assert.That(Block(new EventRows(all, [1, 3])), Is.EqualTo(Block(new EventRows(picked, null))));
            Assert.That(all.Records([1, 3]).Select(r => r.EventId), Is.EqualTo(new[] { "full-1", "s-3" }));
            Assert.That(
                Block(new EventRows(all, [1, 3]), new EventRows(other, null)),
                Is.Not.EqualTo(Block(new EventRows(picked, null))),
                "a second part adds its rows");
        });
    }

    [Test]
    public async Task TheBlock_NamesEveryColumnOfEvents_WithItsType()
    {
        var columns = (await Connection.QueryAsync<(string Name, string Type)>(
            "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'events' ORDER BY position")).ToList();

        // Low-cardinality columns take their values as plain String, which the engine converts.
        var expected = columns.Select(c => (c.Name, c.Type.Replace("LowCardinality(String)", "String"))).OrderBy(c => c.Name).ToList();
        Assert.That(EventBatch.Columns.Zip(EventBatch.NativeTypes).OrderBy(c => c.First).ToList(), Is.EqualTo(expected));
    }

    [Test]
    public async Task StoredEvents_ReadBackAsParsed_FromSeveralRequestsAndSomeRows()
    {
        using var first = Parse(Events.Line("db-0"), Full.Replace("full-1", "db-full"), Events.Line("db-2")).Events;
        using var second = EventParser.Parse(Encoding.UTF8.GetBytes(Events.Line("db-3", user: "u3")), json: false, "ws-batch-2").Events;

        using (var block = EventTable.Block([new EventRows(first, [1, 2]), new EventRows(second, null)], IngestedAt))
        {
            await EventTable.InsertAsync(Connection, block!.WrittenMemory, "test-read-back", [], CancellationToken.None);
        }

        var rows = (await Connection.QueryAsync<StoredRow>(
            """
            SELECT workspace_id AS Workspace, event_id AS Id, timestamp AS At, user_id AS User, product_id AS Product, user_lname AS Lname,
                   user_role AS Role, input_tokens AS Input, cost AS Cost, credits AS Credits, provider AS Provider, reasoning_tokens AS Reasoning,
                   ingested_at AS IngestedAt
            FROM events WHERE event_id LIKE 'db-%' ORDER BY event_id
            """)).Select(r => r.ToString()).ToList();

        var at = new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc);
        Assert.That(rows, Is.EqualTo(new[]
        {
            new StoredRow { Workspace = Workspace, Id = "db-2", At = at, User = "u1", Role = "user", Cost = 0.25m, Credits = 1m, IngestedAt = IngestedAt }.ToString(),
            new StoredRow { Workspace = "ws-batch-2", Id = "db-3", At = at, User = "u3", Role = "user", Cost = 0.25m, Credits = 1m, IngestedAt = IngestedAt }.ToString(),
            new StoredRow
            {
                Workspace = Workspace, Id = "db-full", At = new DateTime(2026, 11, 30, 21, 59, 58, 123, DateTimeKind.Utc), User = "u-é",
                Product = Guid.Parse("3c90c3cc-0d44-4b50-8888-8dd25736052a"), Lname = "Lopes 😀", Role = "admin", Input = 4_000_000_000u,
                Cost = 123456789.123456789m, Credits = 0.000001m, Provider = "openai", Reasoning = 13u, IngestedAt = IngestedAt,
            }.ToString(),
        }));
    }

    private sealed class StoredRow
    {
        public string Workspace { get; set; } = "";

        public string Id { get; set; } = "";

        public DateTime At { get; set; }

        public string User { get; set; } = "";

        public Guid Product { get; set; }

        public string Lname { get; set; } = "";

        public string Role { get; set; } = "";

        public uint Input { get; set; }

        public decimal Cost { get; set; }

        public decimal Credits { get; set; }

        public string Provider { get; set; } = "";

        public uint Reasoning { get; set; }

        public DateTime IngestedAt { get; set; }

        public override string ToString() => FormattableString.Invariant(
            $"{Workspace}|{Id}|{At:yyyy-MM-dd HH:mm:ss.fff}|{User}|{Product}|{Lname}|{Role}|{Input}|{Cost:0.#########}|{Credits:0.######}|{Provider}|{Reasoning}|{IngestedAt:yyyy-MM-dd HH:mm:ss.fff}");
    }
}
