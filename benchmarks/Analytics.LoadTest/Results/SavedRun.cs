using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.LoadTest.Results;

/// <summary>A run's headline figures, saved as <c>run-EVENTS.json</c> in the results folder.</summary>
internal sealed record SavedRun(long Events, string Command, DateTime When, List<ScaleFigure> Figures)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, $"run-{Events}.json"), JsonSerializer.Serialize(this, Json));
    }

    public static List<SavedRun> LoadAll(string folder) =>
        !Directory.Exists(folder)
            ? []
            : Directory.GetFiles(folder, "run-*.json")
                .Select(f => JsonSerializer.Deserialize<SavedRun>(File.ReadAllText(f), Json))
                .OfType<SavedRun>()
                .OrderBy(r => r.Events)
                .ToList();
}
