using System.Net;
using System.Net.Sockets;
using Analytics.LoadTest;
using Analytics.LoadTest.Engine;
using Analytics.LoadTest.Generation;
using Analytics.LoadTest.Http;
using Analytics.LoadTest.Postgres;
using Analytics.LoadTest.Results;
using Analytics.LoadTest.Server;

// One phase per invocation; benchmarks/run-comparison.sh runs them in order around the service and PostgreSQL:
//   generate  -> the events, once, as NDJSON and as CSV (untimed)
//   loopback  -> a ClickHouse HTTP interface over an embedded engine, for the service's server-path run
//   http      -> the ingestion flood and the API query rounds against the running service
//   engine    -> the engine baselines (JSONEachRow insert, raw SQL) in this process's own embedded engine
//   postgres  -> COPY, indexes and the same questions in PostgreSQL through psql
//   report    -> the Markdown table
//   free-port -> a free loopback TCP port, for the script
LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"load test: {ex.Message}");
    return 2;
}

// Progress goes to stderr, so that the report is all that reaches stdout.
if (options.Phase is not ("report" or "free-port"))
{
    Console.SetOut(Console.Error);
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

switch (options.Phase)
{
    case "generate":
        GeneratePhase.Run(options).Save(options.Path(DataFiles.Results("generate")));
        return 0;
    case "loopback":
        await LoopbackPhase.RunAsync(options, cancel.Token);
        return 0;
    case "http":
        (await HttpPhase.RunAsync(options, cancel.Token)).Save(options.Path(DataFiles.Results(options.ServerPath ? "http-server" : "http")));
        return 0;
    case "engine":
        (await EnginePhase.RunAsync(options, cancel.Token)).Save(options.Path(DataFiles.Results("engine")));
        return 0;
    case "postgres":
        (await PostgresPhase.RunAsync(options, cancel.Token)).Save(options.Path(DataFiles.Results("postgres")));
        return 0;
    case "report":
        Console.Write(ReportPhase.Run(options));
        return 0;
    case "free-port":
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        }

        return 0;
    default:
        Console.Error.WriteLine($"load test: unknown phase '{options.Phase}'");
        return 2;
}
