using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Analytics.Benchmarks;

/// <summary>Throughput in rows per second, the figure the README quotes next to the ratios.</summary>
internal sealed class RowsPerSecondColumn : IColumn
{
    public string Id => nameof(RowsPerSecondColumn);

    public string ColumnName => "Rows/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Rows handled per second: the class's [Rows] count divided by the mean";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var rows = benchmarkCase.Descriptor.Type.GetCustomAttribute<RowsAttribute>()?.Count;
        if (rows is null || summary[benchmarkCase]?.ResultStatistics is not { Mean: > 0 } statistics)
        {
            return "-";
        }

        var perSecond = rows.Value / (statistics.Mean / 1e9);
        return perSecond.ToString("N0", style.CultureInfo ?? CultureInfo.InvariantCulture);
    }
}
