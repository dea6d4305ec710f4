using System.Diagnostics;
using Analytics.LoadTest.Results;

namespace Analytics.LoadTest.Queries;

/// <summary>
/// Runs one API's requests against one system, one at a time: the warm-up cases untimed, then the
/// timed ones until all are done or the time budget is spent (at least one runs, so a slow system
/// overruns the budget by one request). A request's time is what the runner returns for it (round
/// trip until the whole answer is read); checksums are kept for the first few, and a runner that
/// digests its answers has every timed request's digest kept, in request order.
/// </summary>
internal static class QueryRound
{
    public const int CheckedRequests = 10;

    public static Task<QueryFigure> RunAsync<TCase>(
        string api,
        string system,
        IReadOnlyList<TCase> cases,
        LoadTestOptions options,
        Func<TCase, int, CancellationToken, Task<(double Milliseconds, string? Checksum)>> run,
        CancellationToken cancellationToken) =>
        RunAsync(api, system, cases, options, async (c, i, ct) =>
        {
            var (ms, checksum) = await run(c, i, ct);
            return new QueryAnswer(ms, checksum);
        }, cancellationToken);

    public static async Task<QueryFigure> RunAsync<TCase>(
        string api,
        string system,
        IReadOnlyList<TCase> cases,
        LoadTestOptions options,
        Func<TCase, int, CancellationToken, Task<QueryAnswer>> run,
        CancellationToken cancellationToken)
    {
        var warmup = Math.Min(options.Warmup, cases.Count);
        var timed = new List<double>();
        var checksums = new List<string>();
        var digests = new List<string>();
        var digested = false;
        var failures = 0;
        string? firstError = null;

        // Warm-up: the first cases, untimed, within a quarter of the budget (at least one request).
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < warmup && (i == 0 || clock.Elapsed.TotalSeconds < options.QuerySeconds / 4.0); i++)
        {
            try
            {
                await run(cases[i], i, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                firstError ??= ex.Message;
            }
        }

        // Timed: always from the same case on, so that every system answers the same requests, until the budget is spent.
        clock.Restart();
        var lastProgress = Stopwatch.StartNew();
        for (var i = warmup; i < cases.Count && (i == warmup || clock.Elapsed.TotalSeconds < options.QuerySeconds); i++)
        {
            try
            {
                var (ms, checksum, digest) = await run(cases[i], i, cancellationToken);
                timed.Add(ms);
                if (checksums.Count < CheckedRequests)
                {
                    checksums.Add(checksum ?? "?");
                }

                digested |= digest is not null;
                digests.Add(digest ?? "?");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                firstError ??= ex.Message;
                timed.Add(double.NaN);
                if (checksums.Count < CheckedRequests)
                {
                    checksums.Add("failed");
                }

                digests.Add("failed");
            }

            if (lastProgress.Elapsed.TotalSeconds >= 5)
            {
                lastProgress.Restart();
                Console.WriteLine($"    {system} {api}: {timed.Count} timed requests, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }

        var latency = Latency.Of(timed);
        Console.WriteLine(
            $"  {system,-28} {api,-24} n={latency.Count,4}  p50 {latency.P50,9:F1} ms  p95 {latency.P95,9:F1} ms  p99 {latency.P99,9:F1} ms" +
            (failures > 0 ? $"  FAILURES {failures}: {firstError}" : string.Empty));
        return new QueryFigure(api, system, latency, failures, clock.Elapsed.TotalSeconds, [.. checksums], firstError, [.. timed])
        {
            Digests = digested ? [.. digests] : null,
        };
    }
}

/// <summary>
/// One answered request: its time, the checksum that is compared across every system, and optionally a
/// stricter digest of the answer (kept for every timed request) for systems that write the same bytes.
/// </summary>
internal sealed record QueryAnswer(double Milliseconds, string? Checksum, string? Digest = null);
