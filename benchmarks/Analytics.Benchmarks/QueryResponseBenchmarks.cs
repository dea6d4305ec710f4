using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Analytics.Api.Features.PromptStats;
using Analytics.Api.Features.UserStats;
using Analytics.Api.Hosting;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks;

/// <summary>
/// The query APIs' work once the engine has answered: each handler's own code turns the rows into its
/// answer, which is written as ASP.NET Core writes it (System.Text.Json with the service's options,
/// into a pipe) to a reused in-memory body. A: 100 prompt templates over 90 days (9,000 rollup rows);
/// C: 5,000 rows. The rows are built in setup, so no engine is involved. B's answer is written by the
/// engine itself, so it is measured with the engine: <see cref="PromptUsageAnswerBenchmarks"/>.
/// </summary>
// An operation takes milliseconds, not seconds: 24 of them per iteration reach the 100 ms BenchmarkDotNet asks of one.
[InvocationCount(24)]
public class QueryResponseBenchmarks
{
    public const int PromptIds = 100;
    public const int PromptDays = 90;
    public const int UserStatsRows = 5_000;

    private readonly MemoryStream body = new(32 << 20);

    private JsonSerializerOptions json = null!;
    private PromptStatsRequest promptStatsRequest = null!;
    private List<PromptStatsRow> promptStatsRows = null!;
    private UserStatsRequest userStatsRequest = null!;
    private UserStatsWindow userStatsWindow = null!;
    private UserStatsQuery.Result userStatsResult = null!;

    [GlobalSetup]
    public void SetUp()
    {
        json = ServiceJsonOptions();
        var random = new Random(20_261_122);
        (promptStatsRequest, promptStatsRows) = PromptStatsInput(random);
        (userStatsRequest, userStatsWindow, userStatsResult) = UserStatsInput(random);
    }

    [Benchmark(Description = "A: PromptStatsHandler.Map + JSON, 100 ids x 90 days")]
    public Task<long> PromptStatsJson() =>
        WriteJsonAsync(new AnalyticsResponse<PromptStatsData>(0, "success", PromptStatsHandler.Map(promptStatsRequest, promptStatsRows)));

    [Benchmark(Description = "C: UserStatsHandler.Map + JSON, 5k rows")]
    public Task<long> UserStatsJson() => WriteJsonAsync(UserStatsHandler.Map(userStatsRequest, userStatsWindow, userStatsResult));

    [Benchmark(Description = "C: UserStatsHandler.Map + UserStatsCsv.Write + UTF-8, 5k rows")]
    public async Task<long> UserStatsCsvText()
    {
        var response = UserStatsHandler.Map(userStatsRequest, userStatsWindow, userStatsResult);
        var pipe = OpenBody();
        Encoding.UTF8.GetBytes(UserStatsCsv.Write(response.Data), pipe);
        await pipe.CompleteAsync();
        return body.Length;
    }

    /// <summary>The serializer options the running service answers with, from its own service registration.</summary>
    internal static JsonSerializerOptions ServiceJsonOptions()
    {
        var services = new ServiceCollection();
        services.AddAnalytics(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
    }

    private PipeWriter OpenBody()
    {
        body.SetLength(0);
        return PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>Writes <paramref name="value"/> as <c>Ok&lt;T&gt;</c> does: the declared type's contract, serialized into the body's pipe.</summary>
    private async Task<long> WriteJsonAsync<T>(T value)
    {
        var pipe = OpenBody();
        await JsonSerializer.SerializeAsync(pipe, value, (JsonTypeInfo<T>)json.GetTypeInfo(typeof(T)));
        await pipe.CompleteAsync();
        return body.Length;
    }

    /// <summary>A's request and <c>prompt_stats.sql</c>'s rows: every template called on every day of the window.</summary>
    private static (PromptStatsRequest, List<PromptStatsRow>) PromptStatsInput(Random random)
    {
        var from = new DateOnly(2026, 8, 25);
        var ids = Enumerable.Range(0, PromptIds).Select(i => $"pt_{unchecked((ulong)i * 0x9E3779B97F4A7C15UL) & 0xFFFF_FFFF_FFFFUL:x12}").ToArray();
        var rows = new List<PromptStatsRow>(PromptIds * PromptDays);
        foreach (var id in ids)
        {
            for (var day = 0; day < PromptDays; day++)
            {
                var calls = random.Next(1, 2_000);
                rows.Add(new PromptStatsRow { PromptId = id, Day = from.AddDays(day), Calls = calls, Cost = Scaled(calls * random.NextInt64(100_000, 20_000_000), 9) });
            }
        }

        return (new PromptStatsRequest(from, from.AddDays(PromptDays - 1), ids), rows);
    }

    /// <summary>C's request (12 weeks by week) and what its statements return: a page of 5,000 rows, its users' names, lifetimes and caps (every 40th user capped), and the summary.</summary>
    private static (UserStatsRequest, UserStatsWindow, UserStatsQuery.Result) UserStatsInput(Random random)
    {
        var start = new DateTime(2026, 8, 31, 0, 0, 0, DateTimeKind.Utc);
        var request = new UserStatsRequest(Granularity.Week, null, (start, start.AddDays(7 * 12)), [], [], string.Empty, string.Empty);
        var window = UserStatsWindow.Derive(request, start.AddDays(90));
        var people = Enumerable.Range(0, 420).Select(i =>
        {
            var (first, last, institution) = ($"First{i % 50}", $"Last{i % 47}", $"inst-{i % 40:D3}");
            return new UserStatsPerson
            {
                User = $"usr_{unchecked((uint)i * 2654435761u):x8}",
                Institution = institution,
                Email = $"{first}.{last}@{institution}.example.edu".ToLowerInvariant(),
                Fname = first,
                Lname = last,
                InstanceName = $"Campus {institution[5..]}",
                AiName = "Athena",
                LifetimeUsed = Scaled(random.NextInt64(1_000_000, 9_000_000_000), 6),
                CapLimit = i % 40 == 0 ? Scaled(500_000_000, 6) : null,
            };
        }).ToList();
        var page = new List<UserStatsUsage>(UserStatsRows);
        for (var week = 0; page.Count < UserStatsRows; week++)
        {
            foreach (var person in people.Take(UserStatsRows - page.Count))
            {
                page.Add(new UserStatsUsage
                {
                    User = person.User,
                    Institution = person.Institution,
                    PeriodStart = DateOnly.FromDateTime(start.AddDays(7 * week)),
                    QueryCount = random.Next(1, 400),
                    CreditsUsed = Scaled(random.NextInt64(1_000, 300_000_000), 6),
                });
            }
        }

        var totals = new UserStatsTotals
        {
            TotalCredits = Scaled(812_345_678_901, 6),
            UserCount = 420,
            UsersAtCap = 4,
            InstitutionCount = 40,
            InstitutionMeanSum = Scaled(77_345_678_901_234_567, 12),
        };
        return (request, window, new UserStatsQuery.Result(page, people, totals));
    }

    /// <summary><paramref name="units"/> × 10^-<paramref name="scale"/>, keeping the scale as the engine's Decimal columns do (trailing zeros included).</summary>
    private static decimal Scaled(long units, byte scale) => new((int)units, (int)(units >> 32), 0, false, scale);
}
