namespace Analytics.Api.Features.UserStats;

internal static partial class UserStatsLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "User-stats extract for workspace {Workspace} over [{Start}, {End}) by {Granularity}: {Rows} rows, truncated {Truncated}")]
    public static partial void Served(ILogger logger, string workspace, DateTime start, DateTime end, string granularity, int rows, bool truncated);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User-stats request rejected with {Status}: {Reason}")]
    public static partial void Rejected(ILogger logger, int status, string reason);
}
