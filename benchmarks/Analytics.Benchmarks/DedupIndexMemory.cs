using System.Diagnostics;
using Analytics.Api.Ingestion;

namespace Analytics.Benchmarks;

/// <summary>
/// What the writer's de-duplication index costs in resident memory as it grows: <c>dedup-memory N</c> adds N random
/// ids, 50,000 a batch (a commit), each batch looked up first as the writer does, then prints the time, the process's
/// peak RSS (VmHWM) and its RSS at the end. Run it in a process of its own: RSS is the whole process's.
/// </summary>
internal static class DedupIndexMemory
{
    private const int Batch = 50_000;

    public static void Run(long ids)
    {
        var index = new DedupIndex(TimeSpan.FromHours(24), TimeProvider.System);
        var random = new Random(1);
        var keys = new UInt128[Batch];
        var known = new bool[Batch];
        var clock = Stopwatch.StartNew();
        for (long added = 0; added < ids; added += Batch)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            }

            index.Find(keys, known);
            index.Add(keys, DateTime.UtcNow);
        }

        Console.WriteLine(
            $"{index.Count:N0} ids in {clock.Elapsed.TotalSeconds:F1} s; table {index.MemoryBytes / 1e6:N0} MB; " +
            $"peak RSS {Status("VmHWM:") / 1e6:N0} MB, RSS now {Status("VmRSS:") / 1e6:N0} MB");
    }

    private static long Status(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0]) * 1024;
}
