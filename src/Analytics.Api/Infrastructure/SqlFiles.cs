using System.Collections.Concurrent;

namespace Analytics.Api.Infrastructure;

/// <summary>SQL kept in <c>sql/</c> beside the binary, loaded by name once and cached.</summary>
public static class SqlFiles
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "sql");

    /// <summary>The text of <c>sql/queries/{name}.sql</c>.</summary>
    public static string Query(string name) =>
        Cache.GetOrAdd(name, n => File.ReadAllText(Path.Combine(Root, "queries", n + ".sql")));

    /// <summary>The schema migrations in the order they apply.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Migrations() =>
        Directory.GetFiles(Path.Combine(Root, "schema"), "*.sql")
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f)))
            .ToList();
}
