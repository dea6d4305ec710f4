using System.Text.Json.Serialization;

namespace Analytics.Api.Features.PromptUsage;

/// <summary>One problem in pydantic's shape: where (<c>["query", "start_date"]</c>), what, and the input given.</summary>
public sealed record ValidationError(
    [property: JsonPropertyName("loc")] IReadOnlyList<object> Loc,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("input")] string? Input);
