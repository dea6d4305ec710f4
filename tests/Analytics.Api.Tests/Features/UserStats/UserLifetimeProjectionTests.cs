using Analytics.Api.Infrastructure;

namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>
/// Lifetime credits are read through the daily rollup's <c>user_lifetime</c> projection: the extract's
/// statements must keep a shape the engine answers from it, and parts written before the migration
/// that added it must gain it.
/// </summary>
public sealed class UserLifetimeProjectionTests() : DatabaseTests("features_user_lifetime")
{
    private const string Migration = "006_user_stats_sources";
    private const string Workspace = "w_lifetime";

    [Test]
    public async Task PartsWrittenBeforeTheMigration_GainTheProjection_AndLifetimesStayExact()
    {
        // The rollup as it was before the migration: no projection, two parts of rows (one a forgetting's negation).
        await Connection.ExecuteAsync("ALTER TABLE user_institution_daily DROP PROJECTION IF EXISTS user_lifetime");
        await Connection.ExecuteAsync(
            $"INSERT INTO user_institution_daily VALUES ('{Workspace}', '2025-01-01', 'u1', 'i1', 'a1', 'user', 3, 1.5), " +
            $"('{Workspace}', '2025-01-02', 'u1', 'i2', 'a1', 'user', 1, 2.25), ('{Workspace}', '2025-01-01', 'u2', 'i1', 'a1', 'user', 2, 7)");
        await Connection.ExecuteAsync($"INSERT INTO user_institution_daily VALUES ('{Workspace}', '2025-01-02', 'u1', 'i2', 'a1', 'user', -1, -2.25)");
        Assert.That(await PartsWithoutProjectionAsync(), Is.GreaterThanOrEqualTo(2));

        await RerunMigrationAsync(Migration);

        for (var waited = 0; await PartsWithoutProjectionAsync() > 0 && waited < 100; waited++)
        {
            await Task.Delay(100);
        }

        var lifetimes = (await Connection.QueryAsync<(string User, decimal Lifetime)>(
                "SELECT User, LifetimeUsed FROM (" + SqlFiles.Query("user_stats_people") + ") ORDER BY User",
                QueryParameters.From(new { workspace = Workspace, users = new[] { "u1", "u2", "u3" } })))
            .ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(await PartsWithoutProjectionAsync(), Is.Zero, "the migration's MATERIALIZE did not reach the older parts");
            Assert.That(lifetimes, Is.EqualTo(new[] { ("u1", 1.5m), ("u2", 7m), ("u3", 0m) }));
        });
    }

    [TestCase("user_stats_people")]
    [TestCase("user_stats_summary")]
    public async Task LifetimeReads_AreAnsweredFromTheProjection(string query)
    {
        // The engine picks a projection when it reads less than the table would: a year of 100 users does.
        await Connection.ExecuteAsync(
            "INSERT INTO user_institution_daily SELECT 'w_plan', toDate('2025-01-01') + intDiv(number, 100), concat('u', toString(number % 100)), " +
            "'i1', 'a1', 'user', 1, 1 FROM numbers(36500)");
        await Connection.ExecuteAsync("INSERT INTO user_caps VALUES ('w_plan', 'u1', 100, 1)");
        var plan = string.Join('\n', await Connection.QueryAsync<string>("EXPLAIN " + SqlFiles.Query(query), QueryParameters.From(new
        {
            workspace = "w_plan",
            users = new[] { "u1" },
            start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            end = new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc),
            full_from = new DateOnly(2025, 1, 1),
            full_to = new DateOnly(2025, 2, 1),
            accounts = Array.Empty<string>(),
            institutions = Array.Empty<string>(),
            role = string.Empty,
            search = string.Empty,
            matched_only = false,
            matched_users = Array.Empty<string>(),
            matched_institutions = Array.Empty<string>(),
        })));

        Assert.That(plan, Does.Contain("ReadFromMergeTree (user_lifetime)"));
    }

    private Task<ulong> PartsWithoutProjectionAsync() => Connection.ExecuteScalarAsync<ulong>(
        "SELECT count() FROM system.parts AS p WHERE p.active AND p.database = currentDatabase() AND p.table = 'user_institution_daily' " +
        "AND p.name NOT IN (SELECT parent_name FROM system.projection_parts WHERE active AND database = currentDatabase() " +
        "AND table = 'user_institution_daily' AND name = 'user_lifetime')");
}
