using System.Text.Json.Serialization;

namespace Analytics.Api.Infrastructure;

/// <summary>The error shape of the service's own endpoints (ingestion, admin, forgetting, caps).</summary>
public sealed record ErrorResponse([property: JsonPropertyName("error")] string Error)
{
    public static IResult Result(int status, string message) => Results.Json(new ErrorResponse(message), statusCode: status);
}
