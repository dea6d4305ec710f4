using Analytics.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- --filter '*'` runs every benchmark.
try
{
    BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
}
finally
{
    BenchmarkEngine.Shutdown();
}
