namespace Analytics.LoadTest.Model;

/// <summary>Picks an index with probability proportional to its weight (cumulative weights, binary search).</summary>
internal sealed class WeightedPicker
{
    private readonly double[] cumulative;

    public WeightedPicker(IEnumerable<double> weights)
    {
        var running = 0.0;
        cumulative = weights.Select(w => running += w).ToArray();
        if (cumulative.Length == 0 || running <= 0)
        {
            throw new ArgumentException("at least one positive weight is needed", nameof(weights));
        }

        for (var i = 0; i < cumulative.Length; i++)
        {
            cumulative[i] /= running;
        }
    }

    public int Count => cumulative.Length;

    /// <summary>Zipf's law: rank k (from 0) is drawn with weight 1 / (k + 1)^exponent.</summary>
    public static WeightedPicker Zipf(int count, double exponent) =>
        new(Enumerable.Range(1, count).Select(k => 1.0 / Math.Pow(k, exponent)));

    /// <summary>The share of draws that land on index <paramref name="i"/>.</summary>
    public double Share(int i) => cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);

    public int Next(Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble());
        index = index < 0 ? ~index : index + 1;
        return Math.Min(index, cumulative.Length - 1);
    }
}
