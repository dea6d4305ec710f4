using Analytics.Api.Ingestion;
using Analytics.LoadTest;
using Analytics.LoadTest.Generation;
using Analytics.LoadTest.Model;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks;

/// <summary>
/// Reading one <c>POST /v1/events</c> body of 2,000 gateway events into validated records, the work
/// the request does before anything is buffered: the gateway's NDJSON (baseline), the same events
/// as a JSON array (<c>application/json</c>), and one body after another of the 128,000 events of
/// the flood's last days, which name almost every user and so many more values than one body
/// repeats (what the parser's cache of repeated values meets under a flood). Also the generator of
/// those events, shared with <see cref="IngestionEncodeBenchmarks"/>.
/// </summary>
[Rows(EventCount)]
// An operation takes milliseconds, not seconds: 32 of them per iteration reach the 100 ms BenchmarkDotNet asks of one.
[InvocationCount(32)]
public class IngestionParseBenchmarks
{
    public const int EventCount = 2_000;

    private const int FloodBodies = 64;

    internal const string Workspace = "acme";

    private ReadOnlyMemory<byte> ndjsonBody;
    private ReadOnlyMemory<byte> arrayBody;
    private ReadOnlyMemory<byte>[] floodBodies = [];
    private int nextFloodBody;

    [GlobalSetup]
    public void SetUp()
    {
        var ndjson = GatewayNdjson(EventCount);
        ndjsonBody = ndjson;
        arrayBody = AsJsonArray(ndjson);

        floodBodies = [.. Bodies(GatewayNdjson(EventCount * FloodBodies))];

        // A body whose events were all refused would parse fast; all must come through whole.
        Check(EventParser.Parse(ndjsonBody, json: false, Workspace), EventCount, dispose: true);
        Check(EventParser.Parse(arrayBody, json: true, Workspace), EventCount, dispose: true);
        foreach (var body in floodBodies)
        {
            Check(EventParser.Parse(body, json: false, Workspace), EventCount, dispose: true);
        }
    }

    // Each parse's columns go back to the pool, as the service's do once stored, so that the next parse reuses them.
    [Benchmark(Baseline = true, Description = "EventParser.Parse, NDJSON body")]
    public int Ndjson() => Stored(EventParser.Parse(ndjsonBody, json: false, Workspace));

    [Benchmark(Description = "EventParser.Parse, JSON array body")]
    public int JsonArray() => Stored(EventParser.Parse(arrayBody, json: true, Workspace));

    [Benchmark(Description = "EventParser.Parse, NDJSON bodies of a flood in turn")]
    public int NdjsonFlood() => Stored(EventParser.Parse(floodBodies[nextFloodBody++ % floodBodies.Length], json: false, Workspace));

    /// <summary>The events parsed, their columns returned.</summary>
    internal static int Stored(EventParser.Result result)
    {
        using (result.Events)
        {
            return result.Events.Count;
        }
    }

    /// <summary><paramref name="ndjson"/> cut into bodies of <see cref="EventCount"/> lines each.</summary>
    internal static IEnumerable<ReadOnlyMemory<byte>> Bodies(ReadOnlyMemory<byte> ndjson)
    {
        while (!ndjson.IsEmpty)
        {
            var end = 0;
            for (var lines = 0; lines < EventCount && end < ndjson.Length; lines++)
            {
                end += ndjson.Span[end..].IndexOf((byte)'\n') + 1;
            }

            yield return ndjson[..end];
            ndjson = ndjson[end..];
        }
    }

    /// <summary>Throws unless <paramref name="result"/> holds <paramref name="events"/> events and no refused line.</summary>
    internal static void Check(EventParser.Result result, int events, bool dispose = false)
    {
        if (result.Errors.Count > 0 || result.Events.Count != events)
        {
            var first = result.Errors.Count > 0 ? $" First error, line {result.Errors[0].Line}: {result.Errors[0].Reason}" : string.Empty;
            throw new InvalidOperationException($"Parsed {result.Events.Count} events and {result.Errors.Count} errors, expected {events} events.{first}");
        }

        if (dispose)
        {
            result.Events.Dispose();
        }
    }

    /// <summary>
    /// <paramref name="count"/> events of the load test's synthetic traffic (benchmarks/Analytics.LoadTest, its
    /// defaults: 20,000 users by Zipf's law, 2,000 templates, 6 products, 40 institutions, seed 42) as the
    /// gateway sends them, taken from the last days of a 1,000,000-event period, so that a body repeats
    /// users and templates as one request of a flood does. The same on every run.
    /// </summary>
    internal static byte[] GatewayNdjson(int count)
    {
        var generator = new EventGenerator(new TrafficModel(new LoadTestOptions { Phase = "generate", WorkDir = Path.GetTempPath(), Events = 1_000_000, EndDate = new DateOnly(2026, 11, 20) }));
        using var stream = new MemoryStream();
        using (var writer = new NdjsonEventWriter(stream))
        {
            var written = 0;
            for (var day = generator.EventsPerDay.Length - 1; day >= 0 && written < count; day--)
            {
                foreach (var e in generator.Day(day).Take(count - written))
                {
                    writer.Write(e);
                    written++;
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>The lines of <paramref name="ndjson"/> (each ending with a line feed) as one JSON array.</summary>
    internal static byte[] AsJsonArray(ReadOnlySpan<byte> ndjson)
    {
        var array = new byte[ndjson.Length + 1];
        array[0] = (byte)'[';
        var items = array.AsSpan(1, ndjson.Length - 1);
        ndjson[..^1].CopyTo(items);
        items.Replace((byte)'\n', (byte)',');
        array[^1] = (byte)']';
        return array;
    }
}
