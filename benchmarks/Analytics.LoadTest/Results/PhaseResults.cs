using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.LoadTest.Results;

/// <summary>What a phase measured, saved as JSON in the run's folder for the report to gather.</summary>
internal sealed class PhaseResults
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public List<IngestFigure> Ingest { get; init; } = [];

    public List<QueryFigure> Queries { get; init; } = [];

    /// <summary>Facts for the report: data set, settings, methods.</summary>
    public Dictionary<string, string> Facts { get; init; } = [];

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static PhaseResults Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<PhaseResults>(File.ReadAllText(path), Json) ?? new() : new();

    public static PhaseResults Merge(IEnumerable<PhaseResults> phases)
    {
        var merged = new PhaseResults();
        foreach (var phase in phases)
        {
            merged.Ingest.AddRange(phase.Ingest);
            merged.Queries.AddRange(phase.Queries);
            foreach (var (key, value) in phase.Facts)
            {
                merged.Facts[key] = value;
            }
        }

        return merged;
    }
}
