using Analytics.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- --filter '*'` runs every benchmark;
// `-- dedup-memory 100000000` the de-duplication index's memory as it grows to that many ids.
if (args is ["dedup-memory", var ids])
{
    DedupIndexMemory.Run(long.Parse(ids, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

try
{
    BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
}
finally
{
    BenchmarkEngine.Shutdown();
}
