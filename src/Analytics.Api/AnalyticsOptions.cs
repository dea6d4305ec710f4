using Analytics.ClickHouse.ADO;

namespace Analytics.Api;

/// <summary>The service's configuration, bound from the <c>Analytics</c> section.</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary><c>Embedded</c> (chDB in-process, the default) or <c>Http</c> (a ClickHouse server).</summary>
    public ClickHouseEngine Engine { get; set; } = ClickHouseEngine.Embedded;

    /// <summary>The embedded engine's data folder.</summary>
    public string DataPath { get; set; } = "data/clickhouse";

    /// <summary>The ClickHouse server's HTTP URL, for <c>Engine=Http</c>.</summary>
    public string ServerUrl { get; set; } = "http://localhost:8123";

    public string? ServerUser { get; set; }

    public string? ServerPassword { get; set; }

    /// <summary>The database the service keeps its tables in.</summary>
    public string Database { get; set; } = "analytics";

    /// <summary>The bootstrap admin token; empty disables it.</summary>
    public string? AdminToken { get; set; }

    /// <summary>The HS256 key JWT credentials are verified with (at least 32 bytes); empty disables HS256.</summary>
    public string? JwtSigningKey { get; set; }

    /// <summary>Keys for RS256 and ES256 JWTs, and the issuer and audience JWTs must name.</summary>
    public Auth.JwtOptions Jwt { get; set; } = new();

    public IngestionOptions Ingestion { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    /// <summary>
    /// Where OTLP/gRPC exporters reach the trace export service, e.g. <c>http://0.0.0.0:4317</c> (HTTP/2 without
    /// TLS, on a port of its own); unset, the default, serves none. OTLP/HTTP is always on <c>POST /v1/traces</c>.
    /// </summary>
    public string? OtlpGrpcUrl { get; set; }

    /// <summary>The connection string for the configured engine.</summary>
    public string ConnectionString => new ClickHouseConnectionStringBuilder
    {
        Engine = Engine,
        Path = DataPath,
        Url = ServerUrl,
        Database = Database,
        Username = ServerUser ?? string.Empty,
        Password = ServerPassword ?? string.Empty,
    }.ConnectionString;
}

/// <summary>How events are buffered, batched and kept safe (section <c>Analytics:Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    /// <summary>Events buffered in memory at most; beyond that requests get 429.</summary>
    public int BufferCapacity { get; set; } = 200_000;

    /// <summary>Events per ClickHouse insert at most.</summary>
    public int MaxBatchEvents { get; set; } = 50_000;

    /// <summary>How long the writer waits to fill a batch.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Insert attempts before a batch is given up on (and spooled when its callers did not wait).</summary>
    public int InsertAttempts { get; set; } = 4;

    /// <summary>How long an event id is remembered for de-duplication.</summary>
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Where batches that could not be inserted wait for ClickHouse to come back.</summary>
    public string SpoolPath { get; set; } = "data/spool";

    /// <summary>How often the spool is retried while it holds batches.</summary>
    public TimeSpan SpoolRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest request body accepted, after decompression.</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024 * 1024;
}

/// <summary>Who may scrape <c>GET /metrics</c> (section <c>Analytics:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>When set, <c>/metrics</c> answers only <c>Authorization: Bearer</c> with this token; empty serves it to anyone.</summary>
    public string? Token { get; set; }
}

/// <summary>How long stored data is kept (section <c>Analytics:Retention</c>); unset keeps it forever.</summary>
public sealed class RetentionOptions
{
    /// <summary>How long raw events are kept after their timestamp (and at least that long after they were stored).</summary>
    public TimeSpan? RawEvents { get; set; }

    /// <summary>How long the daily rollups keep a day, counted from the day's start.</summary>
    public TimeSpan? Rollups { get; set; }
}
