using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;

namespace Analytics.LoadTest.Engine;

/// <summary>
/// Scratch databases in the load test's own engine, built from the service's schema files (copied
/// beside this program): the raw events table alone, or the whole schema with its rollup views.
/// </summary>
internal static class EngineSchema
{
    /// <summary>The NDJSON fields, which are the events table's columns but the workspace and ingestion time.</summary>
    public static readonly string[] NdjsonColumns =
    [
        "event_id", "timestamp", "user_id", "prompt_id", "product_id", "product_name", "user_email", "user_fname", "user_lname",
        "user_role", "account_id", "institution_id", "instance_name", "ai_name", "origin", "history_id", "model",
        "input_tokens", "output_tokens", "cost", "credits", "status", "latency_ms",
    ];

    private static string SchemaFolder => Path.Combine(AppContext.BaseDirectory, "service-sql", "schema");

    /// <summary>Creates <paramref name="database"/> afresh with the events table and the control tables (caps, forgotten histories).</summary>
    public static Task CreateRawAsync(ClickHouseConnection connection, string database, string workspace, CancellationToken cancellationToken) =>
        CreateAsync(connection, database, workspace, f => f.Contains("_events", StringComparison.Ordinal) || f.Contains("_control", StringComparison.Ordinal), cancellationToken);

    /// <summary>Creates <paramref name="database"/> afresh with every table and materialized view of the service's schema.</summary>
    public static Task CreateFullAsync(ClickHouseConnection connection, string database, string workspace, CancellationToken cancellationToken) =>
        CreateAsync(connection, database, workspace, _ => true, cancellationToken);

    public static async Task ExecuteAsync(ClickHouseConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task CreateAsync(
        ClickHouseConnection connection, string database, string workspace, Func<string, bool> include, CancellationToken cancellationToken)
    {
        var quoted = ClickHouseSql.QuoteIdentifier(database);
        connection.ChangeDatabase("default");
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {quoted} SYNC", cancellationToken);
        await ExecuteAsync(connection, $"CREATE DATABASE {quoted}", cancellationToken);
        connection.ChangeDatabase(database);
        foreach (var file in Directory.GetFiles(SchemaFolder, "*.sql").Order(StringComparer.Ordinal).Where(f => include(Path.GetFileName(f))))
        {
            foreach (var statement in Statements(await File.ReadAllTextAsync(file, cancellationToken)))
            {
                await ExecuteAsync(connection, statement, cancellationToken);
            }
        }

        // The NDJSON carries neither: the service takes the workspace from the key and stamps the time itself.
        // The workspace was checked against [a-z0-9_-] (LoadTestOptions), and DDL takes no parameters.
        await ExecuteAsync(connection, $"ALTER TABLE events MODIFY COLUMN workspace_id LowCardinality(String) DEFAULT '{workspace}'", cancellationToken);
        await ExecuteAsync(connection, "ALTER TABLE events MODIFY COLUMN ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)", cancellationToken);
    }

    /// <summary>Splits a schema file into statements the way the service's migrator does (a semicolon ending a line).</summary>
    private static IEnumerable<string> Statements(string sql) =>
        sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd(';').Trim())
            .Where(s => s.Split('\n').Any(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal) && line.Trim().Length > 0));
}
