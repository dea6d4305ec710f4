namespace Analytics.Benchmarks;

/// <summary>How many rows one operation of the benchmarks in a class handles; feeds the Rows/s column.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RowsAttribute(int count) : Attribute
{
    public int Count { get; } = count;
}
