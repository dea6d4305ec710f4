using System.Data.Common;

namespace Analytics.Api.Features.Shared;

/// <summary>
/// A query API's answer when the engine cannot answer (a server that is down, refuses, resets or times
/// out): 503 with <c>Retry-After</c>, in the API's own error shape, instead of the host's bare 500. It
/// applies while nothing of the answer has been sent; a failure part way cuts the connection instead
/// (<see cref="EngineJson{TRow}"/>).
/// </summary>
internal sealed partial class EngineUnavailableFilter(Func<string, IResult> error) : IEndpointFilter
{
    private const string Message = "ClickHouse could not answer; retry later.";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException && !context.HttpContext.Response.HasStarted)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<EngineUnavailableFilter>>();
            LogUnavailable(logger, context.HttpContext.Request.Path, ex.Message);
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return error(Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: the engine could not answer ({Reason}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string path, string reason);
}
