using System.Collections.Concurrent;
using Analytics.ClickHouse;
using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.Api.Infrastructure;

/// <summary>
/// Applies <c>sql/schema/NNN_name.sql</c> in order, each once, recording them in
/// <c>schema_migrations</c>. Every statement is written to be idempotent (IF NOT EXISTS), so a crash
/// between a statement and its record does no harm, and a migration run again after it does none either.
/// Runs in one process take turns per database: run side by side, one could drop what the other, a few
/// migrations behind, was about to use (014 drops the table 010 creates and fills), and fail. Separate
/// processes on one server do not take turns, which is why the README asks to migrate once before starting many.
/// </summary>
public sealed partial class SchemaMigrator(ClickHouseConnectionFactory connections, ILogger<SchemaMigrator> logger)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Turns = new(StringComparer.Ordinal);

    public async Task MigrateAsync(string database, CancellationToken cancellationToken)
    {
        var turn = Turns.GetOrAdd(database, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            await MigrateInTurnAsync(database, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task MigrateInTurnAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        connection.ChangeDatabase("default");
        await connection.ExecuteAsync(new CommandDefinition($"CREATE DATABASE IF NOT EXISTS {ClickHouseSql.QuoteIdentifier(database)}", cancellationToken: cancellationToken));
        connection.ChangeDatabase(database);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name String, applied_at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree ORDER BY name",
            cancellationToken: cancellationToken));

        var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM schema_migrations FINAL", cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (name, sql) in SqlFiles.Migrations())
        {
            if (applied.Contains(name))
            {
                continue;
            }

            foreach (var statement in Statements(sql))
            {
                await connection.ExecuteAsync(new CommandDefinition(statement, cancellationToken: cancellationToken));
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (name, applied_at) VALUES ({name:String}, now64(3))",
                new DynamicParameters(new { name }) { RemoveUnused = false },
                cancellationToken: cancellationToken));
            LogApplied(logger, name, database);
        }
    }

    /// <summary>Splits a migration into statements at semicolons that end a line (the files keep one statement per such line).</summary>
    internal static IEnumerable<string> Statements(string sql) =>
        sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd(';').Trim())
            .Where(s => s.Split('\n').Any(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal) && line.Trim().Length > 0));

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Name} to database {Database}")]
    private static partial void LogApplied(ILogger logger, string name, string database);
}
