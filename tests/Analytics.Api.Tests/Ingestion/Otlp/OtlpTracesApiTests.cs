using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Analytics.Api.Ingestion.Otlp.Proto;
using Analytics.Api.Tests.Features;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using static Analytics.Api.Tests.Ingestion.Otlp.OtlpExports;

namespace Analytics.Api.Tests.Ingestion.Otlp;

public sealed class OtlpTracesApiTests
{
    private const string Workspace = "ws-otlp";
    private const string Day = "2025-06-10";

    private AnalyticsFactory factory = null!;
    private string ingestKey = null!;
    private string readKey = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(OtlpTracesApiTests));
        ingestKey = await factory.CreateKeyAsync(Workspace, ["ingest"]);
        readKey = await factory.CreateKeyAsync(Workspace, ["read", "admin"]);
        client = factory.CreateClient(ingestKey);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Test]
    public async Task TheSdksOtlpExporter_OverProtobuf_StoresItsGenAiSpans_AndTheThreeQueryApisAnswerWithThem()
    {
        var product = Guid.NewGuid();
        var recorder = new RecordingHandler();
        using var http = factory.CreateDefaultClient(recorder);
        using var source = new ActivitySource("otlp-tests-sdk");
        var calls = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("gateway").AddAttributes(
            [
                new("analytics.product_id", product.ToString()), new("analytics.product_name", "Copilot"), new("analytics.institution_id", "inst-sdk"),
            ]))
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri(http.BaseAddress!, "/v1/traces");
                o.Headers = $"Authorization=Bearer {ingestKey}";
                o.HttpClientFactory = () => http;
            })
            .Build())
        {
            using (var request = source.StartActivity("POST /chat", ActivityKind.Server, default(ActivityContext), startTime: Start))
            {
                calls.Add(RecordCall(source, "sdk-user", 0.0021, ActivityStatusCode.Unset));
                calls.Add(RecordCall(source, "sdk-user", 0.004, ActivityStatusCode.Error));
                request!.SetEndTime(Start.AddSeconds(3).UtcDateTime);
            }

            Assert.That(provider.ForceFlush(10_000), Is.True);
        }

        // The exporter's one request, as the service answered it.
        Assert.That(recorder.Answers, Has.Count.EqualTo(1));
        var (status, mediaType, body) = recorder.Answers[0];
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(body);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(mediaType, Is.EqualTo(Protobuf));
            Assert.That(answer.PartialSuccess.RejectedSpans, Is.Zero);
            Assert.That(answer.PartialSuccess.ErrorMessage, Is.EqualTo("1 span without gen_ai.* attributes skipped"));
        });

        await using var connection = await factory.OpenConnectionAsync();
        var ids = calls.Select(a => $"{a.TraceId.ToHexString()}-{a.SpanId.ToHexString()}").ToArray();
        var rows = (await connection.QueryAsync<(string EventId, DateTime Timestamp, uint Latency, string Status, string Model, string Provider, string Operation, string Email, Guid Product, uint Input, uint Output, uint CacheRead, uint CacheCreation, uint Reasoning, decimal Cost, decimal Credits)>(
            "SELECT event_id, timestamp, latency_ms, status, model, provider, operation, user_email, product_id, input_tokens, output_tokens, " +
            "cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost, credits FROM events WHERE workspace_id = 'ws-otlp' AND user_id = 'sdk-user' ORDER BY cost")).ToList();
        Assert.That(rows.Select(r => r.EventId), Is.EqualTo(ids));
        Assert.That(rows[0], Is.EqualTo((ids[0], Start.UtcDateTime, 1250u, "ok", "gpt-4o-2024-08-06", "openai", "chat", "sdk@acme.io", product, 120u, 30u, 100u, 20u, 8u, 0.0021m, 1.5m)));
        Assert.That(rows[1].Status, Is.EqualTo("error"));

        await AssertQueryApisAsync("tpl-sdk", product, "sdk-user", calls: 2, cost: 0.0061m, credits: 3m);
    }

    /// <summary>A GenAI call as an instrumented gateway records it, from <see cref="OtlpExports.Start"/> for 1,250 ms.</summary>
    private static Activity RecordCall(ActivitySource source, string user, double cost, ActivityStatusCode status)
    {
        var activity = source.StartActivity("chat gpt-4o", ActivityKind.Client, default(ActivityContext), startTime: Start)!;
        activity.SetTag("gen_ai.operation.name", "chat");
        activity.SetTag("gen_ai.provider.name", "openai");
        activity.SetTag("gen_ai.request.model", "gpt-4o");
        activity.SetTag("gen_ai.response.model", "gpt-4o-2024-08-06");
        activity.SetTag("gen_ai.usage.input_tokens", 120);
        activity.SetTag("gen_ai.usage.output_tokens", 30);
        activity.SetTag("gen_ai.usage.cache_read.input_tokens", 100);
        activity.SetTag("gen_ai.usage.cache_creation.input_tokens", 20);
        activity.SetTag("gen_ai.usage.reasoning.output_tokens", 8);
        activity.SetTag("gen_ai.usage.cost.amount", cost);
        activity.SetTag("gen_ai.prompt.name", "tpl-sdk");
        activity.SetTag("user.id", user);
        activity.SetTag("user.email", "sdk@acme.io");
        activity.SetTag("analytics.credits", 1.5);
        activity.SetStatus(status);
        activity.SetEndTime(Start.AddMilliseconds(1250).UtcDateTime);
        activity.Stop();
        return activity;
    }

    [Test]
    public async Task AnOtlpJsonExport_WithHexIdsStringIntegersAndIntegerEnums_IsStored_AndAnsweredInJson()
    {
        var product = Guid.NewGuid();
        var start = (Start - DateTimeOffset.UnixEpoch).Ticks * 100;
        var json = $$$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"gateway"}},
              {"key":"analytics.product_id","value":{"stringValue":"{{{{product}}}}"}}]},
              "scopeSpans":[{"scope":{"name":"litellm"},"spans":[
                {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","parentSpanId":"","name":"litellm_request","kind":3,
                 "startTimeUnixNano":"{{{{start}}}}","endTimeUnixNano":"{{{{start + 800_000_000}}}}",
                 "attributes":[{"key":"gen_ai.system","value":{"stringValue":"anthropic"}},
                   {"key":"gen_ai.request.model","value":{"stringValue":"claude-sonnet"}},
                   {"key":"gen_ai.usage.prompt_tokens","value":{"intValue":"42"}},
                   {"key":"gen_ai.usage.completion_tokens","value":{"intValue":7}},
                   {"key":"gen_ai.prompt.name","value":{"stringValue":"tpl-json"}},
                   {"key":"enduser.id","value":{"stringValue":"json-user"}},
                   {"key":"analytics.cost","value":{"stringValue":"0.000123456"}},
                   {"key":"analytics.credits","value":{"doubleValue":2.25}},
                   {"key":"llm.request.tags","value":{"arrayValue":{"values":[{"stringValue":"a"}]}}}],
                 "status":{"code":2,"message":"rate limited"},"unknownField":true},
                {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"c7ad6b7169203332","name":"db query","kind":1,
                 "startTimeUnixNano":"{{{{start}}}}","endTimeUnixNano":"{{{{start}}}}"}]}]}]}
            """;

        using var response = await client.PostAsync("/v1/traces", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var answer = await response.JsonAsync();
        Assert.That(answer.GetProperty("partialSuccess").GetProperty("errorMessage").GetString(), Is.EqualTo("1 span without gen_ai.* attributes skipped"));
        Assert.That(answer.GetProperty("partialSuccess").TryGetProperty("rejectedSpans", out _), Is.False, "zero is the default, left out");

        await using var connection = await factory.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(string EventId, DateTime Timestamp, uint Latency, string Status, string Model, string Provider, uint Input, uint Output, decimal Cost, decimal Credits, Guid Product)>(
            "SELECT event_id, timestamp, latency_ms, status, model, provider, input_tokens, output_tokens, cost, credits, product_id FROM events WHERE user_id = 'json-user'");
        Assert.That(row, Is.EqualTo(("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", Start.UtcDateTime, 800u, "error", "claude-sonnet", "anthropic", 42u, 7u, 0.000123456m, 2.25m, product)));

        await AssertQueryApisAsync("tpl-json", product, "json-user", calls: 1, cost: 0.000123456m, credits: 2.25m);
    }

    [Test]
    public async Task SpansWithoutGenAiAttributes_AreSkippedAndCounted_NothingIsStored()
    {
        var export = Export([("analytics.user_id", "skip-user")], Span("d000000000000001", ("http.method", "GET")), Span("d000000000000002", ("analytics.user_id", "skip-user")));

        var answer = await ResponseAsync(await client.PostAsync("/v1/traces", Content(export)));

        Assert.That(answer.PartialSuccess.RejectedSpans, Is.Zero);
        Assert.That(answer.PartialSuccess.ErrorMessage, Is.EqualTo("2 spans without gen_ai.* attributes skipped"));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE event_id LIKE '%-d00000000000000%'"), Is.Zero);
    }

    [Test]
    public async Task AnExportWhoseSpansAreAllStored_AnswersWithoutPartialSuccess()
    {
        var answer = await ResponseAsync(await client.PostAsync("/v1/traces", Content(Export([], Call("e000000000000001", "full-user")))));

        Assert.That(answer.PartialSuccess, Is.Null);
    }

    [Test]
    public async Task InvalidSpans_AreQuarantinedWithTheirReasons_CountedAsRejected_AndTheValidOnesStored()
    {
        var export = Export([],
            Call("f000000000000001", "q-user"),
            Span("f000000000000002", ("gen_ai.operation.name", "chat")),
            Call("f000000000000003", "q-user", ("analytics.product_id", "nope")),
            Call("f000000000000004", "q-user", ("gen_ai.usage.input_tokens", -5L)));

        var answer = await ResponseAsync(await client.PostAsync("/v1/traces", Content(export)));

        var trace = TraceId;
        Assert.That(answer.PartialSuccess.RejectedSpans, Is.EqualTo(3));
        Assert.That(answer.PartialSuccess.ErrorMessage, Is.EqualTo(
            $"3 spans quarantined: span 2 ({trace}-f000000000000002): user_id is required; " +
            $"span 3 ({trace}-f000000000000003): product_id must be a UUID; " +
            $"span 4 ({trace}-f000000000000004): input_tokens must be a non-negative integer below 2^32"));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.QueryAsync<string>("SELECT event_id FROM events WHERE user_id = 'q-user'"), Is.EqualTo(new[] { $"{trace}-f000000000000001" }));
        var quarantined = (await connection.QueryAsync<(uint Line, string Raw, string Reason)>(
            "SELECT line, raw, reason FROM quarantine WHERE workspace_id = 'ws-otlp' AND position(raw, '-f00000000000000') > 0 ORDER BY line")).ToList();
        Assert.That(quarantined.Select(q => (q.Line, q.Reason)), Is.EqualTo(new[]
        {
            (2u, "user_id is required"), (3u, "product_id must be a UUID"), (4u, "input_tokens must be a non-negative integer below 2^32"),
        }));
        // The quarantined text is the event the span was read as.
        var raw = JsonDocument.Parse(quarantined[1].Raw).RootElement;
        Assert.That(raw.GetProperty("event_id").GetString(), Is.EqualTo($"{trace}-f000000000000003"));
        Assert.That(raw.GetProperty("product_id").GetString(), Is.EqualTo("nope"));
        Assert.That(raw.GetProperty("timestamp").GetString(), Is.EqualTo("2025-06-10T09:30:00.5Z"));
    }

    [Test]
    public async Task AnalyticsAttributes_WinOverTheConventions_SpanAttributesOverTheResources_AndOnlyUsdCostsCount()
    {
        var export = Export(
            [("analytics.product_name", "From resource"), ("analytics.model", "resource-model"), ("user.id", "resource-user"), ("analytics.origin", "SLACK"), ("analytics.account_id", "acc-r")],
            Span("a000000000000001", ("gen_ai.response.model", "span-model"), ("user.id", "p-user"), ("analytics.user_id", "p-user-1"), ("analytics.account_id", "acc-s"),
                ("gen_ai.usage.cost.amount", 0.5), ("gen_ai.usage.cost.currency", "USD"), ("gen_ai.usage.input_tokens", "12")),
            Span("a000000000000002", ("gen_ai.request.model", "m"), ("gen_ai.usage.cost.amount", 0.5), ("gen_ai.usage.cost.currency", "EUR")),
            Span("a000000000000003", ("gen_ai.request.model", "m"), ("user.id", "p-user-3"), ("gen_ai.usage.cost.amount", 0.1 + 0.2),
                ("analytics.history_id", "h-9"), ("analytics.prompt_id", "ours"), ("gen_ai.prompt.name", "theirs")),
            Span("a000000000000004", ("gen_ai.request.model", "m"), ("user.id", "p-user-4"), ("analytics.cost", 0.25), ("gen_ai.usage.cost.amount", 9.0), ("gen_ai.usage.cost.currency", "EUR")));

        var answer = await ResponseAsync(await client.PostAsync("/v1/traces", Content(export)));

        Assert.That(answer.PartialSuccess, Is.Null, answer.PartialSuccess?.ErrorMessage);
        await using var connection = await factory.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string EventId, string User, string Model, string ProductName, string Origin, string Account, decimal Cost, uint Input, string History, string Prompt)>(
            "SELECT event_id, user_id, model, product_name, origin, account_id, cost, input_tokens, history_id, prompt_id FROM events " +
            "WHERE event_id LIKE '%-a00000000000000%' ORDER BY event_id")).ToList();
        Assert.That(rows.Select(r => (r.User, r.Model, r.ProductName, r.Origin, r.Account, r.Cost, r.Input, r.History, r.Prompt)), Is.EqualTo(new[]
        {
            ("p-user-1", "resource-model", "From resource", "SLACK", "acc-s", 0.5m, 12u, "", ""), // analytics.model on the resource beats gen_ai.response.model
            ("resource-user", "resource-model", "From resource", "SLACK", "acc-r", 0m, 0u, "", ""), // a cost in EUR is not stored
            ("p-user-3", "resource-model", "From resource", "SLACK", "acc-r", 0.3m, 0u, "h-9", "ours"), // a double cost keeps 9 decimals
            ("p-user-4", "resource-model", "From resource", "SLACK", "acc-r", 0.25m, 0u, "", ""),
        }));
    }

    [Test]
    public async Task AGzippedExport_IsStored()
    {
        var answer = await ResponseAsync(await client.PostAsync("/v1/traces", Content(Export([], Call("b000000000000001", "gzip-user")), gzip: true)));

        Assert.That(answer.PartialSuccess, Is.Null);
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE user_id = 'gzip-user'"), Is.EqualTo(1UL));
    }

    [Test]
    public async Task ASpanSentAgain_IsStoredOnce_AndTheSecondAnswerSaysItWasAlreadyStored()
    {
        var export = Export([], Call("c000000000000001", "dup-user"), Call("c000000000000002", "dup-user"));

        var first = await ResponseAsync(await client.PostAsync("/v1/traces", Content(export)));
        var again = await ResponseAsync(await client.PostAsync("/v1/traces", Content(export)));

        Assert.That(first.PartialSuccess, Is.Null);
        Assert.That(again.PartialSuccess.RejectedSpans, Is.Zero);
        Assert.That(again.PartialSuccess.ErrorMessage, Is.EqualTo("2 spans already stored (duplicate event ids)"));
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE user_id = 'dup-user'"), Is.EqualTo(2UL));
    }

    [Test]
    public async Task Credentials_AreThoseOfTheEventsEndpoint()
    {
        var export = Export([], Call("9000000000000001", "auth-user"));
        using var none = factory.CreateClient();
        using var reader = factory.CreateClient(readKey);
        using var apiKey = factory.WithHeader("X-API-Key", ingestKey);

        using var unauthenticated = await none.PostAsync("/v1/traces", Content(export));
        using var forbidden = await reader.PostAsync("/v1/traces", Content(export));
        using var accepted = await apiKey.PostAsync("/v1/traces", Content(export));

        Assert.Multiple(async () =>
        {
            Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await unauthenticated.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("missing or invalid credential"));
            Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        await using var connection = await factory.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<ulong>("SELECT count() FROM events WHERE user_id = 'auth-user'"), Is.EqualTo(1UL));
    }

    [Test]
    public async Task AnUndecodableProtobufBody_Answers400WithAStatusMessage()
    {
        var content = new ByteArrayContent("this is not a protobuf message"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);

        using var response = await client.PostAsync("/v1/traces", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var status = Analytics.Api.Ingestion.Otlp.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.That(status.Code, Is.EqualTo(3)); // INVALID_ARGUMENT
        Assert.That(status.Message, Does.StartWith("the body is not an OTLP trace export"));
    }

    [TestCase("{\"resourceSpans\": [", "the body is not valid JSON")]
    [TestCase("[]", "the body is not a JSON object")]
    [TestCase("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\",\"spanId\":\"b7ad6b7169203331\"}]}]}]}", "traceId \"xyz\" is not hexadecimal")]
    [TestCase("{\"resourceSpans\":\"many\"}", "the body is not an OTLP trace export")]
    public async Task AnUndecodableJsonBody_Answers400WithAStatusInJson(string body, string message)
    {
        using var response = await client.PostAsync("/v1/traces", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var status = await response.JsonAsync();
        Assert.That(status.GetProperty("code").GetInt32(), Is.EqualTo(3));
        Assert.That(status.GetProperty("message").GetString(), Does.StartWith(message));
    }

    [Test]
    public async Task AnotherContentType_Answers415()
    {
        using var response = await client.PostAsync("/v1/traces", new StringContent("{}", Encoding.UTF8, "text/plain"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    /// <summary>
    /// Prompt-template stats, prompt usage and the user-stats extract all count <paramref name="calls"/> calls of
    /// <paramref name="user"/> with <paramref name="prompt"/> in <paramref name="product"/> on <see cref="Day"/>.
    /// </summary>
    private async Task AssertQueryApisAsync(string prompt, Guid product, string user, int calls, decimal cost, decimal credits)
    {
        using var reader = factory.CreateClient(readKey);
        reader.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        using var stats = await reader.PostAsJsonAsync("/v1/analytics/saas/prompt-templates/stats", new { dateFrom = Day, dateTo = Day, prompt_ids = new[] { prompt } });
        var template = (await stats.JsonAsync()).GetProperty("data").GetProperty("stats").GetProperty(prompt);

        using var usageClient = factory.WithHeader("X-API-Key", readKey);
        using var usage = await usageClient.GetAsync($"/api/v1/products/{product}/usage/prompts?start_date={Day}&end_date={Day}");
        var usageRows = (await usage.JsonAsync()).EnumerateArray().Where(r => r.GetProperty("user_id").GetString() == user).ToList();

        using var extractClient = factory.WithHeader("x-access-token", readKey);
        using var extract = await extractClient.PostAsJsonAsync("/api/admin/histories/charts/user-stats", new { daterange = new { start = $"{Day}T00:00:00Z", end = "2025-06-11T00:00:00Z" } });
        var extractRows = (await extract.JsonAsync()).GetProperty("data").EnumerateArray().Where(r => r.GetProperty("user").GetString() == user).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(template.GetProperty("total_calls").GetInt32(), Is.EqualTo(calls));
            Assert.That(template.GetProperty("cost_sum").GetDecimal(), Is.EqualTo(cost));
            Assert.That(usageRows.Select(r => (r.GetProperty("product_id").GetString(), r.GetProperty("date").GetString(), r.GetProperty("prompt_count").GetInt32())),
                Is.EqualTo(new[] { (product.ToString(), Day, calls) }));
            Assert.That(extractRows.Select(r => (r.GetProperty("queryCount").GetInt32(), r.GetProperty("creditsUsed").GetDecimal())), Is.EqualTo(new[] { (calls, credits) }));
        });
    }

    /// <summary>Keeps what the service answered each request the exporter sent.</summary>
    private sealed class RecordingHandler : DelegatingHandler
    {
        public List<(HttpStatusCode Status, string? MediaType, byte[] Body)> Answers { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Record(response, await response.Content.ReadAsByteArrayAsync(cancellationToken));
            return response;
        }

        // The exporter sends synchronously (HttpClient.Send), which the in-memory test server refuses; its
        // export thread waits here for the asynchronous send instead. Only the test's transport does this.
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            SendAsync(request, cancellationToken).GetAwaiter().GetResult();

        private void Record(HttpResponseMessage response, byte[] body)
        {
            lock (Answers)
            {
                Answers.Add((response.StatusCode, response.Content.Headers.ContentType?.MediaType, body));
            }
        }
    }
}
