using System.Globalization;

namespace Analytics.LoadTest.Model;

/// <summary>
/// The synthetic world behind the traffic, built from the seed alone: products, institutions (each in
/// an account), users and prompt templates. Users and templates are drawn by Zipf's law (a few heavy
/// users and popular templates, a long tail), institutions by a flatter one; the calendar gives
/// weekdays about three times the traffic of weekend days, a diurnal curve (a peak in the UTC
/// afternoon, a second one in the evening, a trough at night) and growth over the period.
/// </summary>
internal sealed class TrafficModel
{
    private static readonly string[] ProductNames =
    [
        "Writer", "Support Copilot", "Code Assist", "Insight Search", "Meeting Notes", "Translate", "Sales Coach", "Legal Review",
    ];

    private static readonly string[] FirstNames =
    [
        "Ada", "Alan", "Amara", "Ana", "Ben", "Carla", "Chen", "Dara", "David", "Elena", "Emma", "Farah", "Felix", "Grace", "Hana",
        "Hugo", "Ines", "Ivan", "Jade", "Jonas", "Julia", "Kai", "Karim", "Lena", "Leo", "Lucia", "Maya", "Marco", "Mei", "Nadia",
        "Nico", "Nora", "Omar", "Olga", "Paul", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Sofia", "Tariq", "Tom", "Uma", "Vera",
        "Victor", "Wen", "Yara", "Yusuf", "Zoe",
    ];

    private static readonly string[] LastNames =
    [
        "Abbott", "Alvarez", "Andersen", "Baker", "Banerjee", "Becker", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Garcia",
        "Gupta", "Hansen", "Ito", "Jansen", "Kim", "Kowalski", "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Nakamura", "Nguyen",
        "Novak", "Okafor", "Olsen", "Park", "Petrov", "Quinn", "Rossi", "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka",
        "Taylor", "Torres", "Unger", "Vargas", "Walker", "Weber", "Wilson", "Xu", "Yamada", "Young", "Zhang", "Zimmer",
    ];

    private static readonly string[] AiNames = ["Athena", "Sage", "Nova", "Orion", "Iris", "Atlas", "Echo", "Lumen"];

    private readonly WeightedPicker userPicker;
    private readonly WeightedPicker promptPicker;
    private readonly WeightedPicker productPicker;
    private readonly WeightedPicker hourPicker;

    public TrafficModel(LoadTestOptions options)
    {
        Options = options;
        var random = new Random(options.Seed);

        Products = Enumerable.Range(0, options.Products)
            .Select(i => new Product(
                RandomUuid(random),
                i < ProductNames.Length ? ProductNames[i] : $"{ProductNames[i % ProductNames.Length]} {(i / ProductNames.Length) + 1}",
                [.. LlmModel.All.Where((_, m) => (m + i) % 3 != 0)]))
            .ToArray();
        productPicker = WeightedPicker.Zipf(Products.Length, 0.9);

        var accounts = Math.Max(1, options.Institutions / 4);
        Institutions = Enumerable.Range(0, options.Institutions)
            .Select(i => new Institution(
                $"inst-{i:D3}", $"acct-{i % accounts:D2}", $"inst{i:D3}.example.edu", $"Campus {i:D3}", AiNames[i % AiNames.Length]))
            .ToArray();
        var institutionPicker = WeightedPicker.Zipf(Institutions.Length, 0.8);

        Users = new SyntheticUser[options.Users];
        for (var i = 0; i < Users.Length; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var institution = Institutions[institutionPicker.Next(random)];
            var second = random.NextDouble() < 0.05 ? Institutions[institutionPicker.Next(random)] : null;
            var roll = random.NextDouble();
            var role = roll < 0.88 ? "user" : roll < 0.98 ? "admin" : "super";
            Users[i] = new SyntheticUser(
                // Multiplying by an odd constant is a bijection modulo 2^32: unique ids that do not look sequential.
                $"usr_{unchecked((uint)i * 2654435761u):x8}",
                $"{first}.{last}{i % 97}@{institution.Domain}".ToLowerInvariant(),
                first,
                last,
                role,
                institution,
                second == institution ? null : second,
                Products[productPicker.Next(random)],
                random.NextDouble() < 0.1 ? 0.6 : 0.05);
        }

        // The heaviest users and most popular templates sit anywhere in the id space, not at index 0.
        Shuffle(random, Users);
        userPicker = WeightedPicker.Zipf(Users.Length, 0.75);

        Prompts = Enumerable.Range(0, options.Prompts)
            .Select(i => $"pt_{unchecked((ulong)i * 0x9E3779B97F4A7C15UL) & 0xFFFF_FFFF_FFFFUL:x12}")
            .ToArray();
        Shuffle(random, Prompts);
        promptPicker = WeightedPicker.Zipf(Prompts.Length, 1.0);

        FirstDay = options.EndDate.AddDays(1 - options.Days);
        DayWeights = Enumerable.Range(0, options.Days).Select(d =>
        {
            var day = FirstDay.AddDays(d).DayOfWeek;
            var weekday = day is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.35 : 1.0;
            var growth = 0.75 + (0.25 * d / Math.Max(1, options.Days - 1));
            return weekday * growth * (0.9 + (0.2 * random.NextDouble()));
        }).ToArray();
        hourPicker = new WeightedPicker(Enumerable.Range(0, 24).Select(h =>
            0.12 + Math.Exp(-Math.Pow(h + 0.5 - 14.5, 2) / (2 * 3.2 * 3.2)) + (0.35 * Math.Exp(-Math.Pow(h + 0.5 - 20.5, 2) / 8))));
    }

    public LoadTestOptions Options { get; }

    public Product[] Products { get; }

    public Institution[] Institutions { get; }

    /// <summary>Users by popularity rank: <c>Users[0]</c> is the heaviest.</summary>
    public SyntheticUser[] Users { get; }

    /// <summary>Prompt templates by popularity rank.</summary>
    public string[] Prompts { get; }

    public DateOnly FirstDay { get; }

    public DateOnly LastDay => Options.EndDate;

    public double[] DayWeights { get; }

    public SyntheticUser NextUser(Random random) => Users[userPicker.Next(random)];

    public string NextPrompt(Random random) => Prompts[promptPicker.Next(random)];

    public Product NextProduct(Random random) => Products[productPicker.Next(random)];

    public int NextHour(Random random) => hourPicker.Next(random);

    /// <summary>How many events fall on each day: proportional to the day weights, summing to exactly <paramref name="total"/>.</summary>
    public long[] EventsPerDay(long total)
    {
        var sum = DayWeights.Sum();
        var counts = new long[DayWeights.Length];
        var cumulative = 0.0;
        long assigned = 0;
        for (var d = 0; d < counts.Length; d++)
        {
            cumulative += DayWeights[d];
            var upTo = d == counts.Length - 1 ? total : (long)Math.Round(total * cumulative / sum);
            counts[d] = upTo - assigned;
            assigned = upTo;
        }

        return counts;
    }

    /// <summary>Lifetime credit caps for every 40th user by rank, so that some heavy users sit at their cap.</summary>
    public IReadOnlyList<(string UserId, decimal Cap)> Caps() =>
        Users.Where((_, rank) => rank % 40 == 0)
            .Select((u, i) => (u.Id, Cap: i % 3 == 0 ? 50m : i % 3 == 1 ? 500m : 5_000m))
            .ToList();

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static Guid RandomUuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid's little-endian layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private static void Shuffle<T>(Random random, T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
