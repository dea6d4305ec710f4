using System.Diagnostics;
using Analytics.Api.Ingestion.Otlp.Proto;
using OpenTelemetry.Trace;

namespace Analytics.Api.Tests.Telemetry;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, requests and engine statements are exported as spans over OTLP.</summary>
[NonParallelizable]
public sealed class OtlpExportTests
{
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
            using var client = factory.CreateClient();

            // A test server can hand the answer over before the request's span ends; the spans are flushed only once
            // it has. Listening after the host started, this listener hears of the end after the service's own.
            var requestEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
                ActivityStopped = activity =>
                {
                    if (activity.GetTagItem("url.path") as string == "/readyz")
                    {
                        requestEnded.TrySetResult();
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);

            Assert.That((await client.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await requestEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(factory.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), Is.True, "the spans were exported");
        }

        var spans = collector.Received.Where(r => r.Path == "/v1/traces")
            .SelectMany(r => ExportTraceServiceRequest.Parser.ParseFrom(r.Body).ResourceSpans)
            .SelectMany(r => r.ScopeSpans)
            .SelectMany(s => s.Spans.Select(span => (Scope: s.Scope.Name, Span: span)))
            .ToList();
        var request = spans.Single(s => s.Span.Kind == Analytics.Api.Ingestion.Otlp.Proto.Span.Types.SpanKind.Server && Attribute(s.Span, "url.path") == "/readyz").Span;
        var statement = spans.Where(s => s.Scope == "Analytics.ClickHouse" && s.Span.ParentSpanId == request.SpanId).Select(s => s.Span).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(statement, Has.Count.EqualTo(1), "the probe's SELECT 1, inside the request's span");
            Assert.That(statement[0].Name, Is.EqualTo("SELECT"));
            Assert.That(statement[0].Kind, Is.EqualTo(Analytics.Api.Ingestion.Otlp.Proto.Span.Types.SpanKind.Client));
            Assert.That(statement[0].TraceId, Is.EqualTo(request.TraceId));
            Assert.That(Attribute(statement[0], "db.system.name"), Is.EqualTo("clickhouse"));
            Assert.That(Attribute(statement[0], "db.query.text")?.Trim(), Is.EqualTo("SELECT 1"));
            Assert.That(spans.Where(s => s.Scope == "Analytics.ClickHouse").Select(s => s.Span.Name), Does.Contain("CREATE"), "the migrations' statements too");
        });
    }

    private static string? Attribute(Analytics.Api.Ingestion.Otlp.Proto.Span span, string key) => span.Attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;
}
