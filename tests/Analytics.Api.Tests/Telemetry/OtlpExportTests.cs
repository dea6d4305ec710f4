using System.Diagnostics;
using Analytics.Api.Ingestion.Otlp.Proto;
using OpenTelemetry.Trace;
using Span = Analytics.Api.Ingestion.Otlp.Proto.Span;
using SpanKind = Analytics.Api.Ingestion.Otlp.Proto.Span.Types.SpanKind;

namespace Analytics.Api.Tests.Telemetry;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, requests and engine statements are exported as spans over OTLP.</summary>
[NonParallelizable]
public sealed class OtlpExportTests
{
    private const string StatsPath = "/v1/analytics/saas/prompt-templates/stats";

    [Test]
    public async Task EachRequest_AndTheStatementsItRuns_AreSpansOfOneTrace()
    {
        using var collector = new OtlpCollector();
        await using (var factory = await AnalyticsFactory.StartFreshAsync("telemetry_otlp", new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }))
        {
            using var client = factory.CreateClient(await factory.CreateKeyAsync("ws-otlp", ["read"]));
            client.DefaultRequestHeaders.Add("X-Workspace-Id", "ws-otlp");

            // A test server can hand the answer over before the request's span ends; the spans are flushed only once
            // it has. Listening after the host started, this listener hears of the end after the service's own.
            var requestEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
                ActivityStopped = activity =>
                {
                    if (activity.GetTagItem("url.path") as string == StatsPath)
                    {
                        requestEnded.TrySetResult();
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);

            Assert.That((await client.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var answer = await client.PostAsync(StatsPath, new StringContent(
                """{"dateFrom": "2026-01-01", "dateTo": "2026-01-31", "prompt_ids": ["secret-prompt"]}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await requestEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(factory.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), Is.True, "the spans were exported");
        }

        var spans = collector.Received.Where(r => r.Path == "/v1/traces")
            .SelectMany(r => ExportTraceServiceRequest.Parser.ParseFrom(r.Body).ResourceSpans)
            .SelectMany(r => r.ScopeSpans)
            .SelectMany(s => s.Spans.Select(span => (Scope: s.Scope.Name, Span: span)))
            .ToList();
        var request = spans.Single(s => s.Span.Kind == SpanKind.Server && Attribute(s.Span, "url.path") == StatsPath).Span;
        var statements = spans.Where(s => s.Scope == "Analytics.ClickHouse" && s.Span.ParentSpanId == request.SpanId).Select(s => s.Span).ToList();
        var stats = statements.Single(s => Attribute(s, "db.query.text")!.Contains("FROM prompt_daily", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(stats.Name, Is.EqualTo("SELECT"));
            Assert.That(stats.Kind, Is.EqualTo(SpanKind.Client));
            Assert.That(stats.TraceId, Is.EqualTo(request.TraceId));
            Assert.That(Attribute(stats, "db.system.name"), Is.EqualTo("clickhouse"));
            Assert.That(Attribute(stats, "db.query.text"), Does.Not.Contain("secret-prompt"), "values travel as parameters, not in the text");
            Assert.That(spans.Where(s => s.Span.Kind == SpanKind.Server).Select(s => Attribute(s.Span, "url.path")), Does.Not.Contain("/readyz"), "probes make no spans");
            Assert.That(spans.Where(s => s.Scope == "Analytics.ClickHouse").Select(s => s.Span.Name), Does.Contain("CREATE"), "the migrations' statements too");
        });
    }

    private static string? Attribute(Span span, string key) => span.Attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;
}
