using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Analytics.Api.Ingestion;
using Analytics.Api.Ingestion.Otlp.Proto;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Analytics.Benchmarks;

/// <summary>
/// The same 128,000 gateway calls through the service's two ingestion endpoints, end to end: the service in this
/// process (ASP.NET's test server, no socket) over the benchmarks' embedded engine, 64 requests of 2,000 calls,
/// 32 at a time, each answered once its batch is committed. <c>POST /v1/events</c> takes them as NDJSON
/// (baseline), <c>POST /v1/traces</c> as OTLP protobuf exports, a GenAI span a call. Every iteration sends fresh
/// event ids, so that nothing is a duplicate.
/// </summary>
[Rows(Requests * IngestionParseBenchmarks.EventCount)]
public class IngestionEndpointBenchmarks
{
    // As the load test's flood: 32 senders of 2,000 calls keep more calls in flight than a batch takes (50,000),
    // so that batches close on size, not on the flush interval.
    private const int Requests = 64;
    private const int Concurrency = 32;
    private const string Database = "bench_endpoints";
    private const string AdminToken = "bench-admin-token";

    // Any type of the service's assembly names its entry point; this project has a Program of its own.
    private WebApplicationFactory<Analytics.Api.AnalyticsOptions> service = null!;
    private HttpClient client = null!;
    private byte[] ndjson = [];
    private List<EventRecord> calls = [];
    private byte[][] bodies = [];
    private int iteration;

    [GlobalSetup]
    public void SetUp() => SetUpAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void CleanUp() => CleanUpAsync().GetAwaiter().GetResult();

    private async Task SetUpAsync()
    {
        // The engine is the process's one: the service opens the same data folder.
        await BenchmarkEngine.DropDatabaseAsync(await BenchmarkEngine.OpenDatabaseAsync(Database));
        // The service's files (its SQL) are copied next to these binaries; there is no source tree to look in.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ANALYTICS_API", AppContext.BaseDirectory);
        service = new WebApplicationFactory<Analytics.Api.AnalyticsOptions>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Benchmark");
            host.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Analytics:DataPath"] = BenchmarkEngine.DataPath,
                ["Analytics:Database"] = Database,
                ["Analytics:AdminToken"] = AdminToken,
                ["Analytics:Ingestion:SpoolPath"] = Path.Combine(BenchmarkEngine.DataPath, "spool-" + Database),
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        });
        using var admin = service.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        var created = await admin.PostAsJsonAsync("/v1/admin/keys", new { workspace_id = IngestionParseBenchmarks.Workspace, scopes = new[] { "ingest" } });
        created.EnsureSuccessStatusCode();
        using var createdKey = await System.Text.Json.JsonDocument.ParseAsync(await created.Content.ReadAsStreamAsync());
        var key = createdKey.RootElement.GetProperty("key").GetString();
        client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        ndjson = IngestionParseBenchmarks.GatewayNdjson(IngestionParseBenchmarks.EventCount);
        var parsed = EventParser.Parse(ndjson, json: false, IngestionParseBenchmarks.Workspace);
        IngestionParseBenchmarks.Check(parsed, IngestionParseBenchmarks.EventCount);
        calls = parsed.Events.Records(null);
        parsed.Events.Dispose();
    }

    private async Task CleanUpAsync()
    {
        client.Dispose();
        await service.DisposeAsync();
        await BenchmarkEngine.DropDatabaseAsync(await BenchmarkEngine.OpenDatabaseAsync(Database));
    }

    [IterationSetup(Target = nameof(Events))]
    public void FreshNdjson()
    {
        // The same lines with an event id of their own in each request of each iteration.
        var text = Encoding.UTF8.GetString(ndjson);
        iteration++;
        bodies = [.. Enumerable.Range(0, Requests).Select(r => Encoding.UTF8.GetBytes(text.Replace("\"event_id\":\"", $"\"event_id\":\"i{iteration}r{r}-", StringComparison.Ordinal)))];
    }

    [IterationSetup(Target = nameof(Traces))]
    public void FreshExports()
    {
        iteration++;
        bodies = [.. Enumerable.Range(0, Requests).Select(r => OtlpDecodeBenchmarks.AsExport(calls, seed: iteration * Requests + r).ToByteArray())];
    }

    [Benchmark(Baseline = true, Description = "POST /v1/events: 64 NDJSON bodies of 2,000 calls, 32 at a time, wait=true")]
    public Task<int> Events() => SendAllAsync("/v1/events", "application/x-ndjson", async response =>
    {
        using var answer = await System.Text.Json.JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return answer.RootElement.GetProperty("accepted").GetInt32();
    });

    [Benchmark(Description = "POST /v1/traces: the same calls as 64 OTLP protobuf exports of 2,000 spans")]
    public Task<int> Traces() => SendAllAsync("/v1/traces", "application/x-protobuf", async response =>
    {
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        return answer.PartialSuccess is null ? IngestionParseBenchmarks.EventCount : throw new InvalidOperationException(answer.PartialSuccess.ErrorMessage);
    });

    // Every request must store all its calls, or the benchmark would time duplicates or refusals.
    private async Task<int> SendAllAsync(string path, string mediaType, Func<HttpResponseMessage, Task<int>> stored)
    {
        var total = 0;
        using var gate = new SemaphoreSlim(Concurrency);
        await Task.WhenAll(bodies.Select(async body =>
        {
            await gate.WaitAsync();
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                using var response = await client.PostAsync(path, content);
                response.EnsureSuccessStatusCode();
                var count = await stored(response);
                if (count != IngestionParseBenchmarks.EventCount)
                {
                    throw new InvalidOperationException($"{path} stored {count} of {IngestionParseBenchmarks.EventCount} calls.");
                }

                Interlocked.Add(ref total, count);
            }
            finally
            {
                gate.Release();
            }
        }));
        return total;
    }
}
