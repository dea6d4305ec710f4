using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Headers;
using Analytics.Api.Ingestion.Otlp;
using Analytics.Api.Ingestion.Otlp.Proto;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using static Analytics.Api.Tests.Ingestion.Otlp.OtlpExports;

namespace Analytics.Api.Tests.Ingestion.Otlp;

/// <summary>OTLP/gRPC's TraceService/Export on its own HTTP/2 port: the same export as POST /v1/traces.</summary>
public sealed class OtlpGrpcTests
{
    private const string Workspace = "ws-otlp-grpc";

    private AnalyticsFactory factory = null!;
    private string ingestKey = null!;
    private Uri endpoint = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(OtlpGrpcTests), new() { ["Analytics:OtlpGrpcUrl"] = "http://127.0.0.1:0" });
        ingestKey = await factory.CreateKeyAsync(Workspace, ["ingest"]);
        endpoint = factory.Services.GetServices<IHostedService>().OfType<OtlpGrpcHost>().Single().Url
            ?? throw new InvalidOperationException("The OTLP/gRPC endpoint did not start.");
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await factory.DisposeAsync();

    [Test]
    public async Task TheSdksOtlpExporter_OverGrpc_StoresItsGenAiSpans()
    {
        using var source = new ActivitySource("otlp-tests-grpc");
        string eventId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Endpoint = endpoint;
                o.Headers = $"Authorization=Bearer {ingestKey}";
            })
            .Build())
        {
            using (var call = source.StartActivity("chat gpt-4o", ActivityKind.Client, default(ActivityContext), startTime: Start)!)
            {
                call.SetTag("gen_ai.operation.name", "chat");
                call.SetTag("gen_ai.request.model", "gpt-4o");
                call.SetTag("gen_ai.usage.input_tokens", 64);
                call.SetTag("gen_ai.usage.output_tokens", 16);
                call.SetTag("gen_ai.prompt.name", "tpl-grpc");
                call.SetTag("user.id", "grpc-user");
                call.SetTag("analytics.credits", 0.5);
                call.SetEndTime(Start.AddMilliseconds(900).UtcDateTime);
                eventId = $"{call.TraceId.ToHexString()}-{call.SpanId.ToHexString()}";
            }

            Assert.That(provider.ForceFlush(10_000), Is.True, "the exporter's export succeeded");
        }

        await using var connection = await factory.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string EventId, string Prompt, uint Latency, uint Input, uint Output, decimal Credits)>(
            "SELECT event_id, prompt_id, latency_ms, input_tokens, output_tokens, credits FROM events WHERE workspace_id = {ws:String} AND user_id = 'grpc-user'",
            new DynamicParameters(new { ws = Workspace }) { RemoveUnused = false })).ToList();
        Assert.That(rows, Is.EqualTo(new[] { (eventId, "tpl-grpc", 900u, 64u, 16u, 0.5m) }));
    }

    [Test]
    public async Task AnExport_IsAnsweredWithTheSamePartialSuccessAsOverHttp_AndARefusalIsAGrpcStatus()
    {
        var export = Export([], Call("a1a1a1a1a1a1a1a1", "grpc-raw"), Span("b2b2b2b2b2b2b2b2", ("http.method", "GET")));
        var readKey = await factory.CreateKeyAsync(Workspace, ["read"]);

        var first = await CallExportAsync(export, ingestKey);
        var again = await CallExportAsync(export, ingestKey);
        var anonymous = await CallExportAsync(export, key: null);
        var readOnly = await CallExportAsync(export, readKey);

        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(0), first.Message);
            Assert.That(first.Answer!.PartialSuccess.ErrorMessage, Is.EqualTo("1 span without gen_ai.* attributes skipped"));
            Assert.That(again.Answer!.PartialSuccess.ErrorMessage, Does.Contain("1 span already stored"), "de-duplicated by trace and span id");
            Assert.That(anonymous.Status, Is.EqualTo(16), "UNAUTHENTICATED");
            Assert.That(readOnly.Status, Is.EqualTo(7), "PERMISSION_DENIED");
            Assert.That(readOnly.Message, Does.Contain("may not ingest"));
        });
    }

    /// <summary>One unary call as gRPC frames it: a 5-byte prefix before the message, the status in the trailers.</summary>
    private async Task<(int Status, string? Message, ExportTraceServiceResponse? Answer)> CallExportAsync(ExportTraceServiceRequest export, string? key)
    {
        using var http = new HttpClient();
        var message = export.ToByteArray();
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Content = new ByteArrayContent(framed),

            // gRPC without TLS: HTTP/2 with prior knowledge.
            Version = new Version(2, 0),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var headers = response.TrailingHeaders.Concat(response.Headers).ToDictionary(h => h.Key, h => h.Value.First(), StringComparer.OrdinalIgnoreCase);
        Assert.That(headers, Does.ContainKey("grpc-status"), $"HTTP/{response.Version} {(int)response.StatusCode}: {string.Join(", ", headers.Select(h => h.Key + "=" + h.Value))}");
        var status = int.Parse(headers["grpc-status"], System.Globalization.CultureInfo.InvariantCulture);
        var answer = status == 0 ? ExportTraceServiceResponse.Parser.ParseFrom(body.AsSpan(5)) : null;
        return (status, headers.GetValueOrDefault("grpc-message") is { } text ? Uri.UnescapeDataString(text) : null, answer);
    }
}
