using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion;

namespace Analytics.Api;

/// <summary>
/// Settings that cannot work, found before the host starts anything: the start stops with one error that
/// names the setting, rather than a host that fails part way into starting its services.
/// </summary>
public static class SettingsCheck
{
    public static void ThrowIfUnusable(AnalyticsOptions options)
    {
        ThrowIfUnusable(options.Ingestion);
        // The retention settings' own checks, which throw naming the setting.
        _ = RetentionMigrator.Expressions(options.Retention, options.Ingestion.DedupWindow);
    }

    public static void ThrowIfUnusable(IngestionOptions ingestion)
    {
        if (DedupIndex.WindowProblem(ingestion.DedupWindow) is { } problem)
        {
            throw new InvalidOperationException($"Analytics:Ingestion:DedupWindow is {ingestion.DedupWindow}; it {problem}.");
        }
    }
}
