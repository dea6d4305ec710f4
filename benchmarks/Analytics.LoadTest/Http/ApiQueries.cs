using System.Diagnostics;
using Analytics.LoadTest.Queries;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Http;

/// <summary>The three APIs over HTTP, one request at a time; a request's time runs until its whole answer has been read.</summary>
internal sealed class ApiQueries(LoadTestOptions options, ServiceClient client, string key)
{
    public const string System = "service API (rollups)";

    /// <summary>The same API, the service on the server path.</summary>
    public const string ServerPathSystem = "service API, server path";

    private string Name => options.ServerPath ? ServerPathSystem : System;

    // The answers' sizes of the round under way (warm-up included: they are the same requests for every system).
    private readonly List<double> answerBytes = [];

    public async Task<List<QueryFigure>> RunAsync(QueryPlan plan, CancellationToken cancellationToken) =>
    [
        Sized(await QueryRound.RunAsync(ApiNames.PromptStats, Name, plan.PromptStats, options,
            (c, _, ct) => SendAsync(() => ApiRequests.PromptStats(c, key, options.Workspace), ApiRequests.PromptStatsChecksum, ct), cancellationToken)),
        Sized(await QueryRound.RunAsync(ApiNames.PromptUsage, Name, plan.PromptUsage, options,
            (c, _, ct) => SendAsync(() => ApiRequests.PromptUsage(c, key), ApiRequests.PromptUsageChecksum, ct, ApiRequests.PromptUsageDigest), cancellationToken)),
        Sized(await QueryRound.RunAsync(ApiNames.UserStats, Name, plan.UserStats, options,
            (c, _, ct) => SendAsync(() => ApiRequests.UserStats(c, key), ApiRequests.UserStatsChecksum, ct), cancellationToken)),
    ];

    private QueryFigure Sized(QueryFigure figure)
    {
        var sized = figure with { AnswerBytes = Latency.Of(answerBytes) };
        answerBytes.Clear();
        return sized;
    }

    /// <summary>One request; <paramref name="digest"/>, when given, digests every answer (B: the engine's bytes, passed on as they are).</summary>
    private async Task<QueryAnswer> SendAsync(
        Func<HttpRequestMessage> create, Func<byte[], string> checksum, CancellationToken cancellationToken, Func<byte[], string>? digest = null)
    {
        using var request = create();
        var started = Stopwatch.GetTimestamp();
        using var response = await client.Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        answerBytes.Add(body.Length);
        if (!response.IsSuccessStatusCode)
        {
            var text = global::System.Text.Encoding.UTF8.GetString(body);
            throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
        }

        return new QueryAnswer(elapsed, checksum(body), digest?.Invoke(body));
    }
}
