using Analytics.Api.Infrastructure;
using Analytics.ClickHouse.ADO;
using Dapper;

namespace Analytics.Api.Control;

/// <summary>
/// The statements of forgetting, journaled so that a forget cut short (the process killed between two of
/// them) is finished before anything else is written, each rollup's negation applied exactly once
/// (<c>sql/schema/013_forget_journal.sql</c>). Callers hold the event writer's exclusivity, so that while a
/// forget runs, or waits to be finished, nothing is inserted: a rollup's total over the forget's days moves
/// only by the forget's own negation. That holds for one service instance per database, as the README asks.
/// </summary>
public sealed partial class ForgetJournal(TimeProvider time, ILogger<ForgetJournal> logger)
{
    /// <summary>
    /// Each rollup's negation, its total in the journal, its total now and what the negation takes off. The
    /// record and the profiles follow all three, so that a forget recorded in forgotten_histories has its
    /// negations applied, and the profiles are rebuilt from the events that remain.
    /// </summary>
    private static readonly (string Statement, Func<Entry, long> Journaled, Func<Totals, long> Current, Func<Totals, long> Negated)[] Negations =
    [
        ("forget_prompt_daily", e => e.PromptCalls, t => t.PromptCalls, t => t.PromptNegated),
        ("forget_product_user_daily", e => e.ProductPrompts, t => t.ProductPrompts, t => t.ProductNegated),
        ("forget_user_institution_daily", e => e.InstitutionQueries, t => t.InstitutionQueries, t => t.InstitutionNegated),
    ];

    private static readonly string[] AfterNegations =
        ["forget_record", "forget_profiles_delete", "forget_profiles_rebuild", "forget_products_delete", "forget_products_rebuild"];

    /// <summary>
    /// Forgets <paramref name="ids"/> in <paramref name="workspace"/>, after finishing any earlier forget of the
    /// workspace that was cut short; returns how many of the ids were not forgotten before.
    /// </summary>
    public async Task<int> ForgetAsync(ClickHouseConnection connection, string workspace, string[] ids, CancellationToken cancellationToken)
    {
        await FinishUnfinishedAsync(connection, workspace, cancellationToken);
        var fresh = (await connection.QueryAsync<string>(new CommandDefinition(
            SqlFiles.Query("forget_fresh"), QueryParameters.From(new { workspace, ids }), cancellationToken: cancellationToken))).ToArray();
        if (fresh.Length == 0)
        {
            return 0;
        }

        var totals = await TotalsAsync(connection, workspace, fresh, cancellationToken);
        var entry = new Entry(workspace, Guid.NewGuid(), fresh, totals.PromptCalls, totals.ProductPrompts, totals.InstitutionQueries);
        await connection.ExecuteAsync(new CommandDefinition(SqlFiles.Query("forget_journal_start"), QueryParameters.From(new
        {
            workspace,
            forget_id = entry.Id,
            ids = fresh,
            prompt_calls = entry.PromptCalls,
            product_prompts = entry.ProductPrompts,
            institution_queries = entry.InstitutionQueries,
            now = time.GetUtcNow().UtcDateTime,
        }), cancellationToken: cancellationToken));
        await FinishAsync(connection, entry, totals, cancellationToken);
        return fresh.Length;
    }

    /// <summary>Finishes the forgets journaled but not finished, in <paramref name="workspace"/> or (null) in every one; returns how many.</summary>
    public async Task<int> FinishUnfinishedAsync(ClickHouseConnection connection, string? workspace, CancellationToken cancellationToken)
    {
        var unfinished = (await connection.QueryAsync<Entry>(new CommandDefinition(
            SqlFiles.Query("forget_unfinished"), QueryParameters.From(new { workspace = workspace ?? string.Empty }), cancellationToken: cancellationToken))).ToList();
        foreach (var entry in unfinished)
        {
            LogFinishing(logger, entry.Id, entry.Workspace, entry.Ids.Length);
            await FinishAsync(connection, entry, await TotalsAsync(connection, entry.Workspace, entry.Ids, cancellationToken), cancellationToken);
        }

        return unfinished.Count;
    }

    private async Task FinishAsync(ClickHouseConnection connection, Entry entry, Totals totals, CancellationToken cancellationToken)
    {
        var parameters = QueryParameters.From(new { workspace = entry.Workspace, ids = entry.Ids, now = time.GetUtcNow().UtcDateTime });
        foreach (var (statement, journaled, current, negated) in Negations)
        {
            var (was, now, off) = (journaled(entry), current(totals), negated(totals));
            if (off == 0 || now == was - off)
            {
                continue; // nothing to take off, or taken off before the forget was cut short
            }

            if (now != was)
            {
                // Something else changed the rollup since the journal (another instance writing, rows expired by a TTL):
                // whether the negation is in cannot be told, and applying it twice is worse than leaving it out.
                LogCannotTell(logger, entry.Id, statement, was, now, off);
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(SqlFiles.Query(statement), parameters, cancellationToken: cancellationToken));
        }

        foreach (var statement in AfterNegations)
        {
            await connection.ExecuteAsync(new CommandDefinition(SqlFiles.Query(statement), parameters, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(SqlFiles.Query("forget_journal_finish"),
            QueryParameters.From(new { workspace = entry.Workspace, forget_id = entry.Id, now = time.GetUtcNow().UtcDateTime }), cancellationToken: cancellationToken));
    }

    private static async Task<Totals> TotalsAsync(ClickHouseConnection connection, string workspace, string[] ids, CancellationToken cancellationToken) =>
        await connection.QuerySingleAsync<Totals>(new CommandDefinition(
            SqlFiles.Query("forget_totals"), QueryParameters.From(new { workspace, ids }), cancellationToken: cancellationToken));

    /// <summary>A journaled forget: its histories and each rollup's total (of its count column) over their days before it.</summary>
    internal sealed record Entry(string Workspace, Guid Id, string[] Ids, long PromptCalls, long ProductPrompts, long InstitutionQueries);

    /// <summary>Each rollup's total over the histories' days, and what their negation takes off it.</summary>
    internal sealed record Totals(long PromptCalls, long ProductPrompts, long InstitutionQueries, long PromptNegated, long ProductNegated, long InstitutionNegated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing forget {ForgetId} of workspace {Workspace} ({Histories} histories), cut short before")]
    private static partial void LogFinishing(ILogger logger, Guid forgetId, string workspace, int histories);

    [LoggerMessage(Level = LogLevel.Error, Message = "Forget {ForgetId}: {Statement} left out: the rollup's total over the forget's days is {Now}, neither its journaled {Was} nor that less {Negated}, so whether it was applied cannot be told")]
    private static partial void LogCannotTell(ILogger logger, Guid forgetId, string statement, long was, long now, long negated);
}
