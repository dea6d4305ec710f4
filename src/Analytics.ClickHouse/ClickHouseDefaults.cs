namespace Analytics.ClickHouse;

/// <summary>Every default the provider applies, in one place.</summary>
public static class ClickHouseDefaults
{
    /// <summary>The database statements run in when the connection string names none.</summary>
    public const string Database = "default";

    /// <summary>The embedded engine's data folder when the connection string names none.</summary>
    public const string DataPath = "data/clickhouse";

    /// <summary>The server URL when an HTTP connection string names none.</summary>
    public const string Url = "http://localhost:8123";

    /// <summary>Seconds a statement may run before it is stopped.</summary>
    public const int CommandTimeoutSeconds = 30;

    /// <summary>How many engine sessions the embedded transport keeps (statements that run at once).</summary>
    public const int PoolSize = 8;

    /// <summary>Rows per Native block written by the bulk writer.</summary>
    public const int BulkBlockRows = 65_536;

    /// <summary>How often a transient HTTP failure of a safe request is retried.</summary>
    public const int HttpRetries = 3;
}
