using Analytics.Api.Infrastructure;
using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.Api.Features.UserStats;

/// <summary>
/// Reads an extract in three statements: the summary over the whole window, beside it the rows of the
/// page, then the names, lifetimes and caps of the page's users. Rows come in the extract's order
/// (period first), so the page is read from the window's earliest periods on, 1, then 4, then 16 more
/// periods at a time, until it holds <c>limit</c> rows or the window is done: a page of a long
/// window groups only the periods it shows, while the summary groups users, not their periods.
/// </summary>
internal static class UserStatsQuery
{
    // Periods a read may grow to: far beyond any window the rollups hold, by day.
    private const int MaxPeriodsPerRead = 1 << 16;

    public sealed record Result(IReadOnlyList<UserStatsUsage> Page, IReadOnlyList<UserStatsPerson> People, UserStatsTotals Totals);

    public static async Task<Result> ReadAsync(
        ClickHouseConnectionFactory connections, string workspace, UserStatsRequest request, UserStatsWindow window, int limit, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var totals = ReadTotalsAsync(connections, workspace, request, window, stop.Token);
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            var page = await ReadPageAsync(connection, workspace, request, window, limit, cancellationToken);
            var people = page.Count == 0 ? [] : await ReadPeopleAsync(connection, workspace, page, cancellationToken);
            return new Result(page, people, await totals);
        }
        catch
        {
            await stop.CancelAsync();
            await ((Task)totals).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    private static async Task<UserStatsTotals> ReadTotalsAsync(
        ClickHouseConnectionFactory connections, string workspace, UserStatsRequest request, UserStatsWindow window, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserStatsTotals>(new CommandDefinition(
            SqlFiles.Query("user_stats_summary"), Parameters(workspace, request, window), cancellationToken: cancellationToken)) ?? UserStatsTotals.None;
    }

    private static async Task<List<UserStatsUsage>> ReadPageAsync(
        ClickHouseConnection connection, string workspace, UserStatsRequest request, UserStatsWindow window, int limit, CancellationToken cancellationToken)
    {
        var page = new List<UserStatsUsage>();
        var from = window.Start;
        for (var periods = 1; from < window.End && page.Count < limit; periods = Math.Min(periods * 4, MaxPeriodsPerRead))
        {
            var next = Granularity.AddPeriods(request.Granularity, Granularity.PeriodStart(request.Granularity, from.Date), periods);
            var to = next < window.End ? next : window.End;
            var parameters = Parameters(workspace, request, window with { Start = from, End = to });
            parameters.Add("limit", (uint)(limit - page.Count));
            page.AddRange(await connection.QueryAsync<UserStatsUsage>(new CommandDefinition(
                SqlFiles.Query("user_stats_page"), parameters, cancellationToken: cancellationToken)));
            from = to;
        }

        return page;
    }

    private static async Task<List<UserStatsPerson>> ReadPeopleAsync(
        ClickHouseConnection connection, string workspace, List<UserStatsUsage> page, CancellationToken cancellationToken)
    {
        var users = page.Select(r => r.User).Distinct(StringComparer.Ordinal).ToArray();
        return (await connection.QueryAsync<UserStatsPerson>(new CommandDefinition(
            SqlFiles.Query("user_stats_people"), QueryParameters.From(new { workspace, users }), cancellationToken: cancellationToken))).ToList();
    }

    private static DynamicParameters Parameters(string workspace, UserStatsRequest request, UserStatsWindow window) => QueryParameters.From(new
    {
        workspace,
        granularity = request.Granularity,
        start = window.Start,
        end = window.End,
        full_from = window.FullDaysFrom,
        full_to = window.FullDaysTo,
        accounts = request.Accounts,
        institutions = request.Institutions,
        role = request.Role,
        search = request.Search,
    });
}
