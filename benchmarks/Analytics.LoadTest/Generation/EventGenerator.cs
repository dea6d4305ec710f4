using Analytics.LoadTest.Model;

namespace Analytics.LoadTest.Generation;

/// <summary>
/// The events of a run, in time order, the same for a given seed: each day gets its share of the
/// total, each event an hour from the diurnal curve, then a user (Zipf), the user's institution
/// (now and then a second one), mostly the user's home product, a prompt template (Zipf), an
/// origin, a model of that product and log-normal token counts priced at the model's rates.
/// </summary>
internal sealed class EventGenerator(TrafficModel model)
{
    private const long MillisecondsPerHour = 3_600_000;

    /// <summary>How many events fall on each day of the period.</summary>
    public long[] EventsPerDay { get; } = model.EventsPerDay(model.Options.Events);

    /// <summary>
    /// The events of day <paramref name="day"/> (0 is the first), in time order. Each day has a random
    /// source of its own, seeded from the run's seed and the day, so days can be generated in parallel
    /// and still come out the same on every run.
    /// </summary>
    public IEnumerable<SyntheticEvent> Day(int day)
    {
        var random = new Random(unchecked((model.Options.Seed * 7_919) + day + 1));
        var midnight = model.FirstDay.AddDays(day).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var e = new SyntheticEvent();
        var id = new byte[16];
        foreach (var offset in OffsetsWithinDay(random, EventsPerDay[day]))
        {
            random.NextBytes(id);
            e.EventId = new Guid(id);
            e.Timestamp = midnight.AddMilliseconds(offset);
            Fill(random, e);
            yield return e;
        }
    }

    private long[] OffsetsWithinDay(Random random, long count)
    {
        var offsets = new long[count];
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = (model.NextHour(random) * MillisecondsPerHour) + random.NextInt64(MillisecondsPerHour);
        }

        Array.Sort(offsets);
        return offsets;
    }

    private void Fill(Random random, SyntheticEvent e)
    {
        var user = model.NextUser(random);
        e.User = user;
        e.Institution = user.SecondInstitution is { } second && random.NextDouble() < 0.2 ? second : user.Institution;
        var productRoll = random.NextDouble();
        e.Product = productRoll < 0.03 ? null : productRoll < 0.75 ? user.HomeProduct : model.NextProduct(random);
        e.PromptId = random.NextDouble() < 0.85 ? model.NextPrompt(random) : null;
        var originRoll = random.NextDouble();
        e.Origin = originRoll < user.ApiShare ? "API_KEY" : originRoll < user.ApiShare + 0.2 ? "SLACK" : "APP";
        e.HistoryId = $"h_{user.Id[4..]}_{random.Next(64):x2}";

        var models = e.Product?.Models ?? LlmModel.All;
        var llm = models[random.Next(models.Length)];
        e.Model = llm.Name;
        e.Failed = random.NextDouble() < 0.02;
        e.InputTokens = (uint)Math.Clamp(Math.Exp(Normal(random, 6.2, 0.8)), 20, 32_000);
        e.OutputTokens = e.Failed ? 0 : (uint)Math.Clamp(Math.Exp(Normal(random, 5.3, 0.9)), 1, 8_000);
        e.Cost = Math.Round(((e.InputTokens * llm.InputPer1K) + (e.OutputTokens * llm.OutputPer1K)) / 1000m, 9);
        e.Credits = Math.Round((e.InputTokens + (4m * e.OutputTokens)) / 1000m, 6);
        e.LatencyMs = (uint)Math.Max(50, 250 + (e.OutputTokens * 12) + (Normal(random, 0, 150)));
    }

    private static double Normal(Random random, double mean, double deviation)
    {
        // Box-Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + (deviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
