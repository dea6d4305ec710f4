using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Analytics.Benchmarks;

/// <summary>The one configuration every benchmark runs under.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);

        // In process: BenchmarkDotNet 0.14 knows no net10.0 runtime (`--runtimes net10.0` is rejected), so it
        // cannot build a separate benchmark process. All classes therefore share this process's one engine.
        // Each operation handles a million rows (0.1-5 s), so one invocation per iteration is plenty,
        // and it lets [IterationSetup] empty the table before every insert. The empty-call overhead
        // (microseconds) is not worth measuring: each of its ~30 iterations would pay a forced full GC
        // of the setup's million-row heap, close to a second apiece.
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithEvaluateOverhead(false)
            .WithId("InProcess"));

        AddDiagnoser(MemoryDiagnoser.Default);

        // The machine is shared and has two cores: the median and the minimum resist a noisy neighbour better than the mean.
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, new RowsPerSecondColumn());

        // Next to the binaries rather than the current folder, so a run never litters the source tree.
        ArtifactsPath = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
    }
}
