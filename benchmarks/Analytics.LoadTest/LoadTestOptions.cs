using System.Globalization;
using System.Text.RegularExpressions;

namespace Analytics.LoadTest;

/// <summary>
/// Every knob of a run, from <c>--name value</c> arguments. The script passes the same arguments to
/// every phase, so the data model (and with it every generated event and query) is the same in each.
/// </summary>
internal sealed partial record LoadTestOptions
{
    public required string Phase { get; init; }

    /// <summary>The run's folder: generated data, the phases' results, the engine baseline's data path.</summary>
    public required string WorkDir { get; init; }

    // The data set.
    public long Events { get; init; } = 1_000_000;
    public int Days { get; init; } = 90;
    public int Users { get; init; } = 20_000;
    public int Prompts { get; init; } = 2_000;
    public int Products { get; init; } = 6;
    public int Institutions { get; init; } = 40;
    public int Seed { get; init; } = 42;
    public DateOnly EndDate { get; init; } = DateOnly.FromDateTime(DateTime.UtcNow);
    public string Workspace { get; init; } = "acme";

    /// <summary>
    /// <c>all</c> (the default): the engine and PostgreSQL baselines run beside the service. <c>none</c>: the
    /// service alone, for sizes whose files would not fit twice on disk (100M events are 60 GB of NDJSON): the
    /// events are kept as gzip-compressed NDJSON only, and no CSV is written.
    /// </summary>
    public string Baselines { get; init; } = "all";

    /// <summary>Whether the engine and PostgreSQL baselines run, and so whether their files are written.</summary>
    public bool WithBaselines => Baselines == "all";

    // The ingestion flood. With the default wait=true a request is answered once its batch is committed,
    // so the events in flight (concurrency x batch) must exceed the service's Ingestion:MaxBatchEvents
    // (50,000) for its batches to close on size rather than wait out FlushInterval: 8 x 1,000 measured
    // 19k events/s here, 32 x 2,000 (like 64 x 1,000 or 4 x 20,000) about 45k, with the service CPU-bound.
    public int Concurrency { get; init; } = 32;
    public int Batch { get; init; } = 2_000;
    public int IngestSeconds { get; init; } = 1_200;

    // The query rounds: per API and per system, at most this many requests and this many seconds.
    public int Queries { get; init; } = 100;
    public int QuerySeconds { get; init; } = 15;
    public int Warmup { get; init; } = 5;

    // The service under test.
    public string Url { get; init; } = "http://127.0.0.1:5000";
    /// <summary>The service's bootstrap admin token; from the environment (LOADTEST_ADMIN_TOKEN) so that it stays out of process listings.</summary>
    public string AdminToken { get; init; } = Environment.GetEnvironmentVariable("LOADTEST_ADMIN_TOKEN") ?? string.Empty;
    public int ServicePid { get; init; }

    /// <summary>
    /// <c>embedded</c> (the default) or <c>server</c>: the service under test talks to a ClickHouse server (the
    /// loopback phase's, whose process is <see cref="EnginePid"/>) instead of its own embedded engine.
    /// </summary>
    public string ServiceEngine { get; init; } = "embedded";

    /// <summary>The process that runs the engine for a server-path service; its CPU counts with the service's.</summary>
    public int EnginePid { get; init; }

    /// <summary>Whether the service under test is on the server path.</summary>
    public bool ServerPath => ServiceEngine == "server";

    // PostgreSQL, reached through psql.
    public string Psql { get; init; } = "psql";
    public string PgHost { get; init; } = "/tmp";
    public int PgPort { get; init; } = 5432;

    /// <summary>The command line the report quotes.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>Where the report keeps each size's figures, to show how they grow from one size to another.</summary>
    public string? ResultsDir { get; init; }

    public string Path(string name) => System.IO.Path.Combine(WorkDir, name);

    public static LoadTestOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("the first argument is the phase: generate, loopback, http, engine, postgres, report or free-port");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value', found '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        var options = new LoadTestOptions
        {
            Phase = args[0],
            WorkDir = Take(values, "work") ?? System.IO.Path.GetTempPath(),
        };
        options = options with
        {
            Events = Long(values, "events") ?? options.Events,
            Days = Int(values, "days") ?? options.Days,
            Users = Int(values, "users") ?? options.Users,
            Prompts = Int(values, "prompts") ?? options.Prompts,
            Products = Int(values, "products") ?? options.Products,
            Institutions = Int(values, "institutions") ?? options.Institutions,
            Seed = Int(values, "seed") ?? options.Seed,
            EndDate = Take(values, "end-date") is { } end ? DateOnly.ParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture) : options.EndDate,
            Workspace = Take(values, "workspace") ?? options.Workspace,
            Baselines = Take(values, "baselines") ?? options.Baselines,
            Concurrency = Int(values, "concurrency") ?? options.Concurrency,
            Batch = Int(values, "batch") ?? options.Batch,
            IngestSeconds = Int(values, "ingest-seconds") ?? options.IngestSeconds,
            Queries = Int(values, "queries") ?? options.Queries,
            QuerySeconds = Int(values, "query-seconds") ?? options.QuerySeconds,
            Warmup = Int(values, "warmup") ?? options.Warmup,
            Url = Take(values, "url") ?? options.Url,
            AdminToken = Take(values, "admin-token") ?? options.AdminToken,
            ServicePid = Int(values, "service-pid") ?? options.ServicePid,
            ServiceEngine = Take(values, "service-engine") ?? options.ServiceEngine,
            EnginePid = Int(values, "engine-pid") ?? options.EnginePid,
            Psql = Take(values, "psql") ?? options.Psql,
            PgHost = Take(values, "pg-host") ?? options.PgHost,
            PgPort = Int(values, "pg-port") ?? options.PgPort,
            Command = Take(values, "command") ?? options.Command,
            ResultsDir = Take(values, "results-dir") ?? options.ResultsDir,
        };

        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", values.Keys.Select(k => "--" + k))}");
        }

        options.Validate();
        return options;
    }

    private void Validate()
    {
        // The workspace id also appears in DDL (a column default) of the engine baseline, where no parameter can go.
        if (!SafeName().IsMatch(Workspace))
        {
            throw new ArgumentException("--workspace must be 1-64 characters of [a-z0-9_-]");
        }

        if (Events < 1 || Days < 1 || Users < 10 || Prompts < 10 || Products < 1 || Institutions < 1 || Concurrency < 1 || Batch < 1 || Queries < 1)
        {
            throw new ArgumentException("--events, --days, --products, --institutions, --concurrency, --batch and --queries must be positive; --users and --prompts at least 10");
        }

        if (Baselines is not ("all" or "none"))
        {
            throw new ArgumentException("--baselines must be all or none");
        }

        if (ServiceEngine is not ("embedded" or "server"))
        {
            throw new ArgumentException("--service-engine must be embedded or server");
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || !(url.IsLoopback && url.Host == "127.0.0.1"))
        {
            throw new ArgumentException("--url must be an http://127.0.0.1:PORT address: the load test only talks to this machine");
        }
    }

    private static string? Take(Dictionary<string, string> values, string name) => values.Remove(name, out var v) ? v : null;

    private static int? Int(Dictionary<string, string> values, string name) =>
        Take(values, name) is { } v ? int.Parse(v.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) : null;

    private static long? Long(Dictionary<string, string> values, string name) =>
        Take(values, name) is { } v ? long.Parse(v.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) : null;

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex SafeName();
}
