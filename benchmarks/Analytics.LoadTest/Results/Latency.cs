namespace Analytics.LoadTest.Results;

/// <summary>Percentiles (nearest rank) of a set of latencies, in milliseconds.</summary>
internal sealed record Latency(int Count, double P50, double P95, double P99, double Mean, double Max)
{
    /// <summary>The percentiles of the values that are numbers (failed requests are NaN).</summary>
    public static Latency Of(IEnumerable<double> values)
    {
        var milliseconds = values.Where(v => !double.IsNaN(v)).ToArray();
        if (milliseconds.Length == 0)
        {
            return new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = milliseconds.Order().ToArray();
        return new(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted.Average(), sorted[^1]);
    }

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
