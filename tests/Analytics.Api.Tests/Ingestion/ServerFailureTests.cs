#if SERVER_PATH && !SERVER_IMAGE
using Analytics.Api.Ingestion;
using Analytics.ClickHouse.Loopback;

namespace Analytics.Api.Tests.Ingestion;

/// <summary>
/// The server path when the server misbehaves: the loopback server is made to answer errors, drop
/// connections and fail part way, for this fixture's database only.
/// </summary>
[NonParallelizable]
public sealed class ServerFailureTests
{
    private const string Workspace = "ws-server-failure";

    [TearDown]
    public void ClearFaults() => ServerPath.Loopback.ClearFaults();

    [Test]
    public async Task AnInsertTheServerRefusesTwice_IsRetriedAndStoredOnce()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("server_refuses_insert");
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        ServerPath.Loopback.Inject(new LoopbackFault.Fail(503, 209, "Timeout exceeded while reading from socket"), times: 2, when: r => IsInsertInto(r, factory));

        var response = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("sf-1"), Events.Line("sf-2")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await response.JsonAsync()).GetProperty("accepted").GetInt32(), Is.EqualTo(2));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE 'sf-%'"), Is.EqualTo(2UL));
    }

    [Test]
    public async Task AServerThatStaysDown_GivesWaitingCallers503_AndSpoolsTheRest()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("server_down", new()
        {
            ["Analytics:Ingestion:InsertAttempts"] = "2",
            ["Analytics:Ingestion:SpoolRetryInterval"] = "00:00:00.200",
        });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        var writer = factory.Services.GetRequiredService<EventWriter>();
        ServerPath.Loopback.Inject(new LoopbackFault.Reset(), times: int.MaxValue, when: r => IsInsertInto(r, factory));

        var waiting = await client.PostAsync("/v1/events", Events.Ndjson(Events.Line("sd-wait")));
        var spooled = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("sd-1")));
        Assert.That(() => writer.Spool.Count, Is.GreaterThanOrEqualTo(1).After(10_000, 50), "the batch waits in the spool");
        Assert.Multiple(() =>
        {
            Assert.That(waiting.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(waiting.Headers.RetryAfter, Is.Not.Null);
            Assert.That(spooled.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        });

        ServerPath.Loopback.ClearFaults();

        Assert.That(() => writer.Spool.Count, Is.Zero.After(10_000, 50), "the spool drains once the server answers");
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.QueryAsync<string>("SELECT event_id FROM events WHERE event_id LIKE 'sd-%'"), Is.EqualTo(new[] { "sd-1" }));
    }

    [Test]
    public async Task AQueryTheServerCannotAnswer_Is503InEachApisOwnShape()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("server_refuses_read");
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["read", "admin"]));
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        Func<Task<HttpResponseMessage>>[] apis =
        [
            () => client.PostAsync("/v1/analytics/saas/prompt-templates/stats", Json("""{"dateFrom": "2026-01-01", "dateTo": "2026-01-31", "prompt_ids": ["p1"]}""")),
            () => client.GetAsync($"/api/v1/products/{Guid.NewGuid()}/usage/prompts?start_date=2026-01-01&end_date=2026-01-31"),
            () => client.PostAsync("/api/admin/histories/charts/user-stats", Json("{}")),
        ];
        foreach (var api in apis)
        {
            // The first answer, while the server is up, also leaves the key remembered.
            Assert.That((await api()).StatusCode, Is.EqualTo(HttpStatusCode.OK), "answered while the server is up");
        }

        ServerPath.Loopback.Inject(new LoopbackFault.Fail(503), times: int.MaxValue, when: r => InDatabase(r, factory) && !LoopbackServer.IsInsert(r));
        var answers = new List<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)>();
        foreach (var api in apis)
        {
            var response = await api();
            answers.Add((response, await response.JsonAsync()));
        }

        Assert.Multiple(() =>
        {
            foreach (var (response, _) in answers)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), response.RequestMessage!.RequestUri!.AbsolutePath);
                Assert.That(response.Headers.RetryAfter, Is.Not.Null);
            }

            Assert.That(answers[0].Body.GetProperty("code").GetInt32(), Is.EqualTo(50300), "A: the vendor's envelope");
            Assert.That(answers[0].Body.GetProperty("data").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
            Assert.That(answers[1].Body.GetProperty("detail").GetString(), Is.Not.Empty, "B: FastAPI's detail");
            Assert.That(answers[2].Body.GetProperty("success").GetBoolean(), Is.False, "C: success false with the error");
            Assert.That(answers[2].Body.GetProperty("error").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task AnAnswerTheServerFailsPartWay_IsNeverTakenForAWholeOne()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("server_fails_part_way");
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["read", "admin"]));
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        var stats = () => client.PostAsync("/v1/analytics/saas/prompt-templates/stats", Json("""{"dateFrom": "2026-01-01", "dateTo": "2026-01-31", "prompt_ids": ["p1"]}"""));
        var usage = () => client.GetAsync($"/api/v1/products/{Guid.NewGuid()}/usage/prompts?start_date=2026-01-01&end_date=2026-01-31");
        var extract = () => client.PostAsync("/api/admin/histories/charts/user-stats", Json("{}"));
        foreach (var api in new[] { stats, usage, extract })
        {
            Assert.That((await api()).StatusCode, Is.EqualTo(HttpStatusCode.OK), "answered while the server is whole");
        }

        // Every read now fails after its first byte, as a server reports a failure after its 200 status line.
        ServerPath.Loopback.Inject(new LoopbackFault.FailMidStream(AfterBytes: 1), times: int.MaxValue, when: r => InDatabase(r, factory) && !LoopbackServer.IsInsert(r));

        // A and C read the whole answer before they send theirs: the failure is a 503 in their shape.
        var a = await stats();
        var aBody = await a.JsonAsync();
        var c = await extract();
        var cBody = await c.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(a.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(aBody.GetProperty("code").GetInt32(), Is.EqualTo(50300));
            Assert.That(c.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(cBody.GetProperty("success").GetBoolean(), Is.False);
        });

        // B streams the engine's JSON: once it has begun, the failure cuts the answer off, so that no client
        // takes the part it received for the whole.
        var b = await usage();
        if (b.StatusCode == HttpStatusCode.OK)
        {
            Assert.That(async () => await b.Content.ReadAsByteArrayAsync(), Throws.InstanceOf<Exception>(), "a 200 whose body ends cleanly would pass for a whole answer");
        }
        else
        {
            Assert.That(b.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static bool InDatabase(LoopbackRequest request, AnalyticsFactory factory) =>
        request.Url.GetValueOrDefault("database") == factory.Database;

    private static bool IsInsertInto(LoopbackRequest request, AnalyticsFactory factory) =>
        InDatabase(request, factory) && LoopbackServer.IsInsert(request) && System.Text.RegularExpressions.Regex.IsMatch(request.Sql, @"INTO\s+`?events`?\s");
}
#endif
