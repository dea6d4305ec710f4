using System.IO.Compression;
using System.Net.Http.Headers;
using Analytics.Api.Ingestion.Otlp.Proto;
using Google.Protobuf;

namespace Analytics.Api.Tests.Ingestion.Otlp;

/// <summary>Builds OTLP trace exports for tests, and reads the service's answers.</summary>
internal static class OtlpExports
{
    public const string Protobuf = "application/x-protobuf";

    /// <summary>The start of every span built here, and its end 1,250 ms later.</summary>
    public static readonly DateTimeOffset Start = new(2025, 6, 10, 9, 30, 0, 500, TimeSpan.Zero);

    public static ExportTraceServiceRequest Export(IEnumerable<(string Key, object Value)> resource, params Span[] spans)
    {
        var resourceSpans = new ResourceSpans { Resource = new Resource() };
        resourceSpans.Resource.Attributes.AddRange(resource.Select(Attribute));
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "tests" } };
        scope.Spans.AddRange(spans);
        resourceSpans.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }

    /// <summary>A span of trace 0x11… with the span id <paramref name="spanId"/> (16 hex digits).</summary>
    public static Span Span(string spanId, params (string Key, object Value)[] attributes)
    {
        var start = (ulong)(Start - DateTimeOffset.UnixEpoch).Ticks * 100;
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceId)),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(spanId)),
            Name = "chat",
            Kind = Analytics.Api.Ingestion.Otlp.Proto.Span.Types.SpanKind.Client,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + 1_250_000_000,
        };
        span.Attributes.AddRange(attributes.Select(Attribute));
        return span;
    }

    public const string TraceId = "11112222333344445555666677778888";

    /// <summary>A GenAI span of <paramref name="user"/> with the attributes a gateway sets, and <paramref name="more"/>.</summary>
    public static Span Call(string spanId, string user, params (string Key, object Value)[] more) =>
        Span(spanId, [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("user.id", user), .. more]);

    public static KeyValue Attribute((string Key, object Value) attribute) => new() { Key = attribute.Key, Value = Value(attribute.Value) };

    private static AnyValue Value(object value) => value switch
    {
        string s => new AnyValue { StringValue = s },
        bool b => new AnyValue { BoolValue = b },
        int i => new AnyValue { IntValue = i },
        long l => new AnyValue { IntValue = l },
        double d => new AnyValue { DoubleValue = d },
        _ => throw new ArgumentException($"no AnyValue for {value.GetType()}"),
    };

    public static ByteArrayContent Content(IMessage export, bool gzip = false)
    {
        var bytes = export.ToByteArray();
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                zip.Write(bytes);
            }

            bytes = compressed.ToArray();
        }

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return content;
    }

    /// <summary>The answer to a protobuf export, which must be 200 with an ExportTraceServiceResponse.</summary>
    public static async Task<ExportTraceServiceResponse> ResponseAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(Protobuf));
        return ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }
}
