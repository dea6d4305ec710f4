using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Analytics.LoadTest.Generation;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Http;

/// <summary>
/// Pushes the generated NDJSON at the service: <see cref="LoadTestOptions.Concurrency"/> senders,
/// <see cref="LoadTestOptions.Batch"/> events per request, each answered after its events are
/// committed (the default <c>wait=true</c>). A 429 or 503 is retried after its Retry-After, a bounded
/// number of times; the whole flood is bounded by <see cref="LoadTestOptions.IngestSeconds"/>.
/// </summary>
internal sealed class IngestionFlood(LoadTestOptions options, ServiceClient client, string key, ServiceProcess? service, ServiceProcess? engine = null)
{
    /// <summary>The service's row in the ingestion table.</summary>
    public const string System = "service";

    /// <summary>The row of the service on the server path, beside it.</summary>
    public const string ServerPathSystem = "service, server path";

    private const int MaxAttempts = 50;
    private static readonly MediaTypeHeaderValue Ndjson = new("application/x-ndjson");

    private long events;
    private long bytes;
    private long requests;
    private long retries;
    private long accepted;
    private long duplicates;
    private long quarantined;
    private long intervalTicks;
    private long intervalRequests;

    public async Task<IngestFigure> RunAsync(string path, long totalEvents, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.IngestSeconds));
        var token = deadline.Token;

        var batches = Channel.CreateBounded<NdjsonBatch>(new BoundedChannelOptions(options.Concurrency * 2) { SingleWriter = true });
        var reader = Task.Run(
            async () =>
            {
                try
                {
                    foreach (var batch in NdjsonFile.Read(path, options.Batch))
                    {
                        await batches.Writer.WriteAsync(batch, token);
                    }
                }
                finally
                {
                    batches.Writer.TryComplete();
                }
            },
            token);

        var serviceCpu = service?.CpuTime + (engine?.CpuTime ?? TimeSpan.Zero);
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(() => SendAllAsync(batches.Reader, token), token)).ToArray();
        var all = Task.WhenAll(senders.Append(reader));
        var lastEvents = 0L;
        var lastBytes = 0L;
        var lastTime = TimeSpan.Zero;
        while (await Task.WhenAny(all, Task.Delay(3000, CancellationToken.None)) != all)
        {
            var now = clock.Elapsed;
            var (e, b) = (Interlocked.Read(ref events), Interlocked.Read(ref bytes));
            var seconds = (now - lastTime).TotalSeconds;
            var ticks = Interlocked.Exchange(ref intervalTicks, 0);
            var done = Interlocked.Exchange(ref intervalRequests, 0);
            Console.WriteLine(
                $"  [{now.TotalSeconds,5:F0} s] {e,12:N0} / {totalEvents:N0} events ({100.0 * e / totalEvents,3:F0}%)  " +
                $"{(e - lastEvents) / seconds,9:N0} ev/s now, {e / now.TotalSeconds,9:N0} avg  {(b - lastBytes) / 1e6 / seconds,6:F1} MB/s  " +
                $"req {(done == 0 ? 0 : ticks * 1000.0 / Stopwatch.Frequency / done),6:F0} ms avg  retries {Interlocked.Read(ref retries)}" +
                (service?.Rss is { } rss ? $"  service RSS {rss / 1e6:N0} MB" : string.Empty));
            (lastEvents, lastBytes, lastTime) = (e, b, now);
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        // On the server path the engine's work is done in the server's process: both count as the ingester's.
        var serviceCpuSeconds = service?.CpuTime + (engine?.CpuTime ?? TimeSpan.Zero) - serviceCpu;
        var ownCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu).TotalSeconds;
        var latencies = (await Task.WhenAll(senders)).SelectMany(l => l).ToList();
        await reader;
        return new IngestFigure(
            options.ServerPath ? ServerPathSystem : System,
            $"POST /v1/events, NDJSON, {options.Batch} events/request, {options.Concurrency} concurrent, wait=true",
            Interlocked.Read(ref events),
            Interlocked.Read(ref bytes),
            elapsed,
            Latency.Of(latencies),
            Interlocked.Read(ref requests),
            Interlocked.Read(ref retries),
            Interlocked.Read(ref accepted),
            Interlocked.Read(ref duplicates),
            Interlocked.Read(ref quarantined),
            service?.PeakRss,
            serviceCpuSeconds?.TotalSeconds,
            ownCpuSeconds);
    }

    private async Task<List<double>> SendAllAsync(ChannelReader<NdjsonBatch> batches, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        await foreach (var batch in batches.ReadAllAsync(cancellationToken))
        {
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new ByteArrayContent(batch.Data, 0, batch.Length) };
                request.Content.Headers.ContentType = Ndjson;
                request.Headers.Add("X-API-Key", key);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.Http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var ticks = Stopwatch.GetTimestamp() - started;
                Interlocked.Increment(ref requests);
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && attempt < MaxAttempts)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"POST /v1/events answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
                }

                latencies.Add(ticks * 1000.0 / Stopwatch.Frequency);
                Interlocked.Add(ref intervalTicks, ticks);
                Interlocked.Increment(ref intervalRequests);
                Count(body);
                Interlocked.Add(ref events, batch.Lines);
                Interlocked.Add(ref bytes, batch.Length);
                break;
            }
        }

        return latencies;
    }

    private void Count(byte[] body)
    {
        var answer = new Utf8JsonReader(body);
        string? property = null;
        while (answer.Read())
        {
            if (answer.TokenType == JsonTokenType.PropertyName && answer.CurrentDepth == 1)
            {
                property = answer.GetString();
            }
            else if (answer.TokenType == JsonTokenType.Number && answer.CurrentDepth == 1)
            {
                var n = answer.GetInt64();
                _ = property switch
                {
                    "accepted" => Interlocked.Add(ref accepted, n),
                    "duplicates" => Interlocked.Add(ref duplicates, n),
                    "quarantined" => Interlocked.Add(ref quarantined, n),
                    _ => 0,
                };
            }
        }
    }
}
