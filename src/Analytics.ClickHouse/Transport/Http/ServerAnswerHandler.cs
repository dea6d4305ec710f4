using System.Web;
using Polly;
using Polly.Retry;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// Sits under ClickHouse.Driver on its <see cref="HttpClient"/>, between it and the socket. It sends again
/// what may safely be sent again (see <see cref="HttpRetryRules"/>), which the driver does not; throws the
/// server's error for an error status, with its code, name and query id; and checks a 200 body for a failure
/// reported after the status line (<see cref="CheckedContent"/>), which the driver would hand over as data.
/// </summary>
internal sealed class ServerAnswerHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<bool> ReadOnlyKey = new("clickhouse.read-only");

    private readonly ResiliencePipeline<HttpResponseMessage> pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = ClickHouseDefaults.HttpRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome switch
            {
                { Exception: { } exception } => HttpRetryRules.IsConnectFailure(exception),
                { Result: { } response } => HttpRetryRules.ShouldRetry(
                    (int)response.StatusCode,
                    ServerAnswers.HeaderInt(response.Headers, ServerAnswers.ExceptionCodeHeader),
                    args.Context.Properties.GetValue(ReadOnlyKey, false)),
                _ => false,
            }),
        })
        .Build();

    public ServerAnswerHandler(HttpMessageHandler inner) => InnerHandler = inner;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var statement = ServerStatement.Current;
        // The transport names the statement's query id; only a request sent past it has the URL to read it from
        // (an URL that may carry large parameter values, so it is not parsed for every request).
        var queryId = statement?.QueryId ?? HttpUtility.ParseQueryString(request.RequestUri?.Query ?? "")["query_id"];
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ReadOnlyKey, statement?.ReadOnly ?? false);
        HttpResponseMessage response;
        try
        {
            // Every attempt sends the same message: the driver's bodies (the statement, or an insert's
            // data written by a callback) can be written again.
            response = await pipeline.ExecuteAsync(
                static (context, state) => new ValueTask<HttpResponseMessage>(state.handler.SendOnceAsync(state.request, context.CancellationToken)),
                context,
                (handler: this, request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                throw ServerAnswers.FindError(response, body, queryId)!;
            }
        }

        statement?.WrittenRows = ServerAnswers.WrittenRows(response);
        response.Content = new CheckedContent(response, queryId);
        return response;
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}

/// <summary>
/// The statement the transport is sending through the driver, as the handler under the driver sees it: whether
/// it may be sent again, and the rows it wrote. Set for the asynchronous flow that sends it.
/// </summary>
internal sealed class ServerStatement
{
    private static readonly AsyncLocal<ServerStatement?> Flow = new();

    private ServerStatement(string queryId, bool readOnly)
    {
        QueryId = queryId;
        ReadOnly = readOnly;
    }

    /// <summary>The statement being sent on this flow, if the transport sends it.</summary>
    public static ServerStatement? Current => Flow.Value;

    /// <summary>The statement's query id, as sent in <c>query_id</c>.</summary>
    public string QueryId { get; }

    /// <summary>Whether the statement changes nothing, so that the server having seen it does not stop a retry.</summary>
    public bool ReadOnly { get; }

    /// <summary>The rows the server says the statement wrote.</summary>
    public ulong WrittenRows { get; set; }

    /// <summary>
    /// Starts a statement on the calling flow. Called inside an async method, it ends with that method: the
    /// flow's value does not leak back to the caller.
    /// </summary>
    public static ServerStatement Begin(string queryId, bool readOnly) => Flow.Value = new ServerStatement(queryId, readOnly);
}
