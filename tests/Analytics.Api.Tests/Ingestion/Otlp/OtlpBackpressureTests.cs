using Analytics.Api.Ingestion;
using static Analytics.Api.Tests.Ingestion.Otlp.OtlpExports;

namespace Analytics.Api.Tests.Ingestion.Otlp;

/// <summary>An export meets the same backpressure as POST /v1/events: a full buffer, and ClickHouse unavailable.</summary>
public sealed class OtlpBackpressureTests
{
    private const string Workspace = "ws-otlp-pressure";

    [Test]
    public async Task AFullBuffer_Answers429WithRetryAfter_AndTheStatusInTheRequestsEncoding()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("otlp_full", new()
        {
            ["Analytics:Ingestion:BufferCapacity"] = "2",
            // The writer keeps retrying for about a minute, so what it holds stays buffered while the export comes.
            ["Analytics:Ingestion:InsertAttempts"] = "10",
        });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        await using var connection = await factory.OpenConnectionAsync();
        var writer = factory.Services.GetRequiredService<EventWriter>();

        await connection.ExecuteAsync("RENAME TABLE events TO events_away");
        using var filling = await client.PostAsync("/v1/events?wait=false", Events.Ndjson(Events.Line("full-1"), Events.Line("full-2")));
        Assert.That(filling.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(writer.Buffered, Is.EqualTo(2));

        using var response = await client.PostAsync("/v1/traces", Content(Export([], Call("1000000000000001", "full-user"))));
        await connection.ExecuteAsync("RENAME TABLE events_away TO events");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        var status = Analytics.Api.Ingestion.Otlp.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.That(status.Code, Is.EqualTo(8)); // RESOURCE_EXHAUSTED
        Assert.That(status.Message, Is.EqualTo("the ingestion buffer is full; retry after a second"));
    }

    [Test]
    public async Task ClickHouseUnavailable_Answers503WithRetryAfter_AndNothingIsStored()
    {
        await using var factory = await AnalyticsFactory.StartFreshAsync("otlp_down", new() { ["Analytics:Ingestion:InsertAttempts"] = "1" });
        using var client = factory.CreateClient(await factory.CreateKeyAsync(Workspace, ["ingest"]));
        await using var connection = await factory.OpenConnectionAsync();

        await connection.ExecuteAsync("RENAME TABLE events TO events_away");
        using var response = await client.PostAsync("/v1/traces", Content(Export([], Call("2000000000000001", "down-user"))));
        await connection.ExecuteAsync("RENAME TABLE events_away TO events");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        var status = Analytics.Api.Ingestion.Otlp.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.That(status.Code, Is.EqualTo(14)); // UNAVAILABLE
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE user_id = 'down-user'"), Is.Zero);

        // Sent again once ClickHouse answers, the export is stored.
        var again = await ResponseAsync(await client.PostAsync("/v1/traces", Content(Export([], Call("2000000000000001", "down-user")))));
        Assert.That(again.PartialSuccess, Is.Null);
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE user_id = 'down-user'"), Is.EqualTo(1UL));
    }
}
