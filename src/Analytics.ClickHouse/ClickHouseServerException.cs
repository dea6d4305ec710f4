using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Analytics.ClickHouse;

/// <summary>An error raised by the ClickHouse engine while running a statement.</summary>
public sealed partial class ClickHouseServerException : DbException
{
    /// <summary>Creates the exception from the engine's message and error code.</summary>
    public ClickHouseServerException(string message, int errorCode, string? queryId)
        : base(message, errorCode)
    {
        QueryId = queryId;
    }

    /// <summary>The ClickHouse error code (for example 60 for UNKNOWN_TABLE, 62 for SYNTAX_ERROR).</summary>
    public new int ErrorCode => base.ErrorCode;

    /// <summary>The id of the statement that failed.</summary>
    public string? QueryId { get; }

    /// <summary>ClickHouse's symbolic name for the error when the message carries it, e.g. <c>UNKNOWN_TABLE</c>.</summary>
    public string? ErrorName => NameSuffix().Match(Message) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Builds the exception from a ClickHouse error text (<c>Code: 60. DB::Exception: ...</c>).</summary>
    internal static ClickHouseServerException FromMessage(string message, string? queryId, int? knownCode = null)
    {
        var code = knownCode ?? (CodePrefix().Match(message) is { Success: true } m
            ? int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)
            : 0);
        return new ClickHouseServerException(message.Trim(), code, queryId);
    }

    [GeneratedRegex(@"Code:\s*(\d+)")]
    private static partial Regex CodePrefix();

    [GeneratedRegex(@"\(([A-Z_]+)\)\s*(?:\(version[^)]*\))?\s*$")]
    private static partial Regex NameSuffix();
}
