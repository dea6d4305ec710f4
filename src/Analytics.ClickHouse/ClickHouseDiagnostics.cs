using System.Diagnostics;

namespace Analytics.ClickHouse;

/// <summary>
/// The provider's traces: one <see cref="Activity"/> per statement, from the <see cref="ActivitySourceName"/>
/// source, named after the statement's first keyword and tagged as OpenTelemetry's database conventions say
/// (<c>db.system.name</c>, <c>db.namespace</c>, <c>db.query.text</c>). Values travel as server-side
/// parameters, so the statement text carries none of them.
/// </summary>
public static class ClickHouseDiagnostics
{
    /// <summary>The name to pass to a tracer provider's <c>AddSource</c>.</summary>
    public const string ActivitySourceName = "Analytics.ClickHouse";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    internal static Activity? StartStatement(string sql, string database, string queryId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(Operation(sql), ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "clickhouse");
            activity.SetTag("db.namespace", database);
            activity.SetTag("db.operation.name", activity.OperationName);
            activity.SetTag("db.query.text", sql);
            activity.SetTag("db.clickhouse.query_id", queryId);
        }

        return activity;
    }

    internal static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>The statement's first keyword (SELECT, INSERT, ALTER, ...), skipping comments.</summary>
    internal static string Operation(string sql)
    {
        var span = sql.AsSpan();
        while (true)
        {
            span = span.TrimStart();
            if (span.StartsWith("--"))
            {
                var end = span.IndexOf('\n');
                span = end < 0 ? [] : span[(end + 1)..];
                continue;
            }

            break;
        }

        var length = 0;
        while (length < span.Length && char.IsAsciiLetter(span[length]))
        {
            length++;
        }

        return length == 0 ? "clickhouse" : span[..length].ToString().ToUpperInvariant();
    }
}
