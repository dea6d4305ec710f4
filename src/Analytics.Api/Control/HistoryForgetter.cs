using Analytics.Api.Ingestion;

namespace Analytics.Api.Control;

/// <summary>Forgets histories: their events count in no report from then on, rollups included. Used by the API and the CLI.</summary>
public sealed class HistoryForgetter(EventWriter writer, ForgetJournal journal)
{
    public const int MaxIds = 10_000;

    /// <summary>What is wrong with <paramref name="ids"/> (after dropping blanks and repeats), or null.</summary>
    public static string? Problem(IReadOnlyCollection<string> ids) =>
        ids.Count is 0 or > MaxIds || ids.Any(id => TextLength.Exceeds(id, EventParser.MaxTextLength))
            ? $"history_ids must list 1 to {MaxIds} non-empty ids of at most {EventParser.MaxTextLength} characters"
            : null;

    /// <summary>The non-blank ids of <paramref name="ids"/>, each once.</summary>
    public static string[] Distinct(IEnumerable<string?> ids) =>
        [.. ids.Where(id => !string.IsNullOrWhiteSpace(id)).Cast<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>Forgets <paramref name="ids"/> in <paramref name="workspace"/>; returns how many were not forgotten before.</summary>
    public Task<int> ForgetAsync(string workspace, string[] ids, CancellationToken cancellationToken) =>

        // Negate the rollup rows of what is not yet forgotten, record it, then rebuild the latest names of the
        // users and products it touched from what remains (journaled: see ForgetJournal); exclusive of inserts
        // so nothing slips between.
        writer.ExclusiveAsync(connection => journal.ForgetAsync(connection, workspace, ids, cancellationToken), cancellationToken);
}
