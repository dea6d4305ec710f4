using Analytics.Api.Ingestion;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Analytics.Benchmarks;

/// <summary>
/// The writer's de-duplication, which every event passes: 1,000,000 committed ids remembered in
/// commits of 50,000 (the writer's largest batch), and 1,000,000 lookups of ids not seen before (the
/// path of every new event) against 1,000,000 known. Beside each, a <c>Dictionary&lt;UInt128, long&gt;</c>
/// of id to commit hour, the plain way to keep the same facts, looked up with the clock read once. For the commits, the Allocated column is
/// the memory each structure took to reach a million ids, its growth included.
/// </summary>
[Rows(Ids)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DedupIndexBenchmarks
{
    private const int Ids = 1_000_000;
    private const int Batch = 50_000;
    private const int Request = 2_000;
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private UInt128[] committed = null!;
    private UInt128[] fresh = null!;
    private DedupIndex knownIndex = null!;
    private Dictionary<UInt128, long> knownDictionary = null!;
    private DateTime now;

    [GlobalSetup]
    public void SetUp()
    {
        committed = [.. Enumerable.Range(0, Ids).Select(i => DedupIndex.Key(IngestionParseBenchmarks.Workspace, $"evt-{i:D12}"))];
        fresh = [.. Enumerable.Range(0, Ids).Select(i => DedupIndex.Key(IngestionParseBenchmarks.Workspace, $"new-{i:D12}"))];
        now = DateTime.UtcNow;
        knownIndex = IndexCommits();
        knownDictionary = DictionaryCommits();
        if (IndexLookups() != 0 || IndexRequestLookups() != 0 || DictionaryLookups() != 0 || knownIndex.Count != Ids || knownDictionary.Count != Ids)
        {
            throw new InvalidOperationException("Every committed id must be kept once and no new id found.");
        }
    }

    [Benchmark(Baseline = true, Description = "Dictionary<UInt128, long>: remember 1M ids, 50k a commit")]
    [BenchmarkCategory("commit")]
    public Dictionary<UInt128, long> DictionaryCommits()
    {
        var hours = new Dictionary<UInt128, long>();
        var hour = DedupIndex.HourOf(now);
        foreach (var chunk in committed.Chunk(Batch))
        {
            foreach (var key in chunk)
            {
                hours[key] = hour;
            }
        }

        return hours;
    }

    [Benchmark(Description = "DedupIndex.Add: remember 1M ids, 50k a commit")]
    [BenchmarkCategory("commit")]
    public DedupIndex IndexCommits()
    {
        var index = new DedupIndex(Window, TimeProvider.System);
        foreach (var chunk in committed.Chunk(Batch))
        {
            index.Add(chunk, now);
        }

        return index;
    }

    [Benchmark(Baseline = true, Description = "Dictionary<UInt128, long>: look up 1M new ids among 1M known")]
    [BenchmarkCategory("lookup")]
    public int DictionaryLookups()
    {
        var oldest = DedupIndex.HourOf(DateTime.UtcNow - Window);
        return fresh.Count(key => knownDictionary.TryGetValue(key, out var hour) && hour >= oldest);
    }

    [Benchmark(Description = "DedupIndex.Contains: look up 1M new ids among 1M known, one a call")]
    [BenchmarkCategory("lookup")]
    public int IndexLookups() => fresh.Count(knownIndex.Contains);

    [Benchmark(Description = "DedupIndex.Find: look up 1M new ids among 1M known, 2,000 a call (a request, as the writer asks)")]
    [BenchmarkCategory("lookup")]
    public int IndexRequestLookups()
    {
        var known = new bool[Request];
        var found = 0;
        for (var i = 0; i < fresh.Length; i += Request)
        {
            found += knownIndex.Find(fresh.AsSpan(i, Math.Min(Request, fresh.Length - i)), known);
        }

        return found;
    }
}
