using System.Globalization;
using Analytics.ClickHouse;
using Dapper;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Infrastructure;

/// <summary>
/// Gives the tables the TTLs <see cref="RetentionOptions"/> asks for, at start-up after the migrations: raw
/// events (<c>Analytics:Retention:RawEvents</c>) and the three daily rollups (<c>Analytics:Retention:Rollups</c>).
/// What was applied is recorded in <c>retention_applied</c>; a table is altered only when its setting changed,
/// so a restart with the same settings changes nothing. Unset means no TTL: kept forever.
/// </summary>
public sealed partial class RetentionMigrator(ClickHouseConnectionFactory connections, IOptions<AnalyticsOptions> options, ILogger<RetentionMigrator> logger)
{
    public static readonly string[] RollupTables = ["prompt_daily", "product_user_daily", "user_institution_daily"];

    /// <summary>Each table's TTL expression for the settings, empty for none; throws when a setting cannot be applied.</summary>
    public static IReadOnlyDictionary<string, string> Expressions(RetentionOptions retention, TimeSpan dedupWindow)
    {
        if (retention.RawEvents is { } raw)
        {
            if (raw < dedupWindow)
            {
                throw new InvalidOperationException(
                    $"Analytics:Retention:RawEvents is {raw}; it must be at least Analytics:Ingestion:DedupWindow ({dedupWindow}), " +
                    "since the ids of the window are loaded from the raw events at start.");
            }
        }

        if (retention.Rollups is { } rollups && rollups <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Analytics:Retention:Rollups is {rollups}; it must be longer than zero.");
        }

        // A raw event is kept for the retention after its timestamp, and at least as long after it was stored, so
        // that an event sent late (with an old timestamp) is still there to be recognised when it is sent again.
        // The seconds are an integer formatted here: a TTL takes no query parameters.
        var expressions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["events"] = retention.RawEvents is { } keep ? $"toDateTime(greatest(timestamp, ingested_at)) + toIntervalSecond({Seconds(keep)})" : string.Empty,
        };
        foreach (var table in RollupTables)
        {
            expressions[table] = retention.Rollups is { } days ? $"toDateTime(day, 'UTC') + toIntervalSecond({Seconds(days)})" : string.Empty;
        }

        return expressions;
    }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var wanted = Expressions(settings.Retention, settings.Ingestion.DedupWindow);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var applied = (await connection.QueryAsync<(string Table, string Ttl)>(new CommandDefinition(SqlFiles.Query("retention_applied"), cancellationToken: cancellationToken)))
            .ToDictionary(r => r.Table, r => r.Ttl, StringComparer.Ordinal);
        foreach (var (table, ttl) in wanted)
        {
            if (applied.GetValueOrDefault(table, string.Empty) == ttl)
            {
                continue;
            }

            var parameters = QueryParameters.From(new { table, ttl });
            if (ttl.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE {ClickHouseSql.QuoteIdentifier(table)} MODIFY TTL {ttl}", cancellationToken: cancellationToken));
            }
            else if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(SqlFiles.Query("retention_has_ttl"), parameters, cancellationToken: cancellationToken)))
            {
                await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE {ClickHouseSql.QuoteIdentifier(table)} REMOVE TTL", cancellationToken: cancellationToken));
            }

            await connection.ExecuteAsync(new CommandDefinition(SqlFiles.Query("retention_record"), parameters, cancellationToken: cancellationToken));
            LogApplied(logger, table, ttl.Length > 0 ? ttl : "none (kept forever)");
        }
    }

    private static string Seconds(TimeSpan span) => ((long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of {Table} set to TTL {Ttl}")]
    private static partial void LogApplied(ILogger logger, string table, string ttl);
}
