namespace Analytics.Api.Features.PromptStats;

internal static partial class PromptStatsLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Prompt-template stats for workspace {Workspace}: {Ids} ids over {Days} days, {Rows} rollup rows")]
    public static partial void Served(ILogger logger, string workspace, int ids, int days, int rows);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Top prompt templates for workspace {Workspace}: {Listed} of at most {Limit}")]
    public static partial void ServedTop(ILogger logger, string workspace, int limit, int listed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Prompt-template stats request rejected with {Code}: {Reason}")]
    public static partial void Rejected(ILogger logger, int code, string reason);
}
