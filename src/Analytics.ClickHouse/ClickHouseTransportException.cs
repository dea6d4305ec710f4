using System.Data.Common;

namespace Analytics.ClickHouse;

/// <summary>
/// The server could not be reached, or the connection broke, before ClickHouse answered. Whether the
/// statement ran is unknown for writes; reads are safe to retry.
/// </summary>
public sealed class ClickHouseTransportException : DbException
{
    /// <summary>Creates the exception for the statement <paramref name="queryId"/>.</summary>
    public ClickHouseTransportException(string message, string? queryId, Exception inner)
        : base(message, inner)
    {
        QueryId = queryId;
    }

    /// <summary>The id of the statement that was being sent.</summary>
    public string? QueryId { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
