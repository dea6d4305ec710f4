namespace Analytics.Api.Features.PromptUsage;

internal static partial class PromptUsageLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Prompt usage for workspace {Workspace} from {Start} to {End} served")]
    public static partial void Served(ILogger logger, string workspace, DateOnly start, DateOnly end);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Prompt usage request rejected with {Status}: {Reason}")]
    public static partial void Rejected(ILogger logger, int status, string reason);
}
