using System.Text;
using Analytics.Api.Infrastructure;
using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.Api.Features.UserStats;

/// <summary>
/// Reads an extract in three statements: the summary over the whole window, beside it the rows of the
/// page, then the names, lifetimes and caps of the page's users. A usersearch is resolved first, once,
/// into the users and institutions it matches, which the other statements then keep to (an extract
/// that matches no one reads nothing more). Rows come in the extract's order (period first), so the
/// page is read from the window's earliest periods on, 1, then 4, then 16 more periods at a time
/// (after a search, first as many as it takes to fill a page with a row per matched pair and period),
/// until it holds <c>limit</c> rows or the window is done: a page of a long window groups only the
/// periods it shows, while the summary groups users, not their periods.
/// </summary>
internal static class UserStatsQuery
{
    // Periods a read may grow to: far beyond any window the rollups hold, by day.
    private const int MaxPeriodsPerRead = 1 << 16;

    // Bytes of ids a statement is given in one array parameter, as written ('id', with escapes): a server
    // takes a parameter of at most 128 KiB (http_max_field_value_size).
    private const int ParameterBudget = 120_000;

    public sealed record Result(IReadOnlyList<UserStatsUsage> Page, IReadOnlyList<UserStatsPerson> People, UserStatsTotals Totals)
    {
        public static readonly Result Empty = new([], [], UserStatsTotals.None);
    }

    public static async Task<Result> ReadAsync(
        ClickHouseConnectionFactory connections, string workspace, UserStatsRequest request, UserStatsWindow window, int limit, CancellationToken cancellationToken)
    {
        var scope = new Scope(workspace, request);
        if (request.Search.Length > 0)
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            var matches = (await connection.QueryAsync<UserStatsMatch>(new CommandDefinition(
                SqlFiles.Query("user_stats_matches"), QueryParameters.From(new { workspace, search = request.Search }), cancellationToken: cancellationToken))).ToList();
            if (matches.Count == 0)
            {
                return Result.Empty;
            }

            // Too many matches to hand over in a parameter: the statements then search for themselves.
            var (users, institutions) = (matches.Select(m => m.User).ToArray(), matches.Select(m => m.Institution).ToArray());
            scope = Fits(users) && Fits(institutions)
                ? scope with { MatchCount = matches.Count, MatchedUsers = users, MatchedInstitutions = institutions }
                : scope with { MatchCount = matches.Count };
        }

        return await ReadScopedAsync(connections, scope, window, limit, cancellationToken);
    }

    private static async Task<Result> ReadScopedAsync(
        ClickHouseConnectionFactory connections, Scope scope, UserStatsWindow window, int limit, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var totals = ReadTotalsAsync(connections, scope, window, stop.Token);
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            var page = await ReadPageAsync(connection, scope, window, limit, cancellationToken);
            var people = page.Count == 0 ? [] : await ReadPeopleAsync(connection, scope.Workspace, page, cancellationToken);
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
        ClickHouseConnectionFactory connections, Scope scope, UserStatsWindow window, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserStatsTotals>(new CommandDefinition(
            SqlFiles.Query("user_stats_summary"), Parameters(scope, window), cancellationToken: cancellationToken)) ?? UserStatsTotals.None;
    }

    private static async Task<List<UserStatsUsage>> ReadPageAsync(
        ClickHouseConnection connection, Scope scope, UserStatsWindow window, int limit, CancellationToken cancellationToken)
    {
        var page = new List<UserStatsUsage>();
        var granularity = scope.Request.Granularity;
        var from = window.Start;

        // A period holds at most a row per matched pair, so fewer periods than limit / pairs cannot fill a page.
        var first = scope.MatchCount is > 0 and var pairs ? Math.Clamp((limit + pairs - 1) / pairs, 1, MaxPeriodsPerRead) : 1;
        for (var periods = first; from < window.End && page.Count < limit; periods = Math.Min(periods * 4, MaxPeriodsPerRead))
        {
            var next = Granularity.AddPeriods(granularity, Granularity.PeriodStart(granularity, from.Date), periods);
            var to = next < window.End ? next : window.End;
            var parameters = Parameters(scope, window with { Start = from, End = to });
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
        var people = new List<UserStatsPerson>();
        foreach (var users in Chunks(page.Select(r => r.User).Distinct(StringComparer.Ordinal)))
        {
            people.AddRange(await connection.QueryAsync<UserStatsPerson>(new CommandDefinition(
                SqlFiles.Query("user_stats_people"), QueryParameters.From(new { workspace, users }), cancellationToken: cancellationToken)));
        }

        return people;
    }

    private static bool Fits(IEnumerable<string> ids) => Chunks(ids).Take(2).Count() <= 1;

    /// <summary><paramref name="ids"/> in order, cut into arrays that each fit one parameter.</summary>
    internal static IEnumerable<string[]> Chunks(IEnumerable<string> ids)
    {
        var chunk = new List<string>();
        var size = 0;
        foreach (var id in ids)
        {
            var cost = Encoding.UTF8.GetByteCount(id) + 3 + id.Count(c => c is '\'' or '\\');
            if (chunk.Count > 0 && size + cost > ParameterBudget)
            {
                yield return [.. chunk];
                (chunk, size) = ([], 0);
            }

            chunk.Add(id);
            size += cost;
        }

        if (chunk.Count > 0)
        {
            yield return [.. chunk];
        }
    }

    private static DynamicParameters Parameters(Scope scope, UserStatsWindow window) => QueryParameters.From(new
    {
        workspace = scope.Workspace,
        granularity = scope.Request.Granularity,
        start = window.Start,
        end = window.End,
        full_from = window.FullDaysFrom,
        full_to = window.FullDaysTo,
        accounts = scope.Request.Accounts,
        institutions = scope.Request.Institutions,
        role = scope.Request.Role,
        search = scope.MatchedUsers is null ? scope.Request.Search : string.Empty,
        matched_only = scope.MatchedUsers is not null,
        matched_users = scope.MatchedUsers ?? [],
        matched_institutions = scope.MatchedInstitutions ?? [],
    });

    /// <summary>
    /// What an extract reads: a workspace, the request's filters, and after a usersearch how many pairs it
    /// matched and, when they fit a parameter, the pairs themselves as two arrays (the statements search otherwise).
    /// </summary>
    private sealed record Scope(
        string Workspace, UserStatsRequest Request, int? MatchCount = null, string[]? MatchedUsers = null, string[]? MatchedInstitutions = null);
}
