using Analytics.Api.Infrastructure;
using Analytics.Api.Features.PromptUsage;
using Analytics.Api.Features.Shared;
using Analytics.Api.Telemetry;

// In the root namespace so that Hosting maps it without another using.
namespace Analytics.Api.Features.PromptUsage;

/// <summary>The prompt-usage API (seed 001), drop-in compatible with its vendor.</summary>
public static class PromptUsageApi
{
    public static IEndpointRouteBuilder MapPromptUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/products/{product_id}/usage/prompts", PromptUsageHandler.HandleAsync)
            .WithName("GetPromptUsage")
            .WithMetadata(new QueryApi("prompt_usage"))
            .WithTags("Usage")
            .WithSummary("Get prompt usage")
            .WithDescription(
                "Prompt usage for the organization that owns the given product, per product, user and UTC calendar day, ordered by date, " +
                "product name and user email (case-insensitively). The API key (`X-API-Key`, scope `read`) authorizes its own product, but the response covers " +
                "every product of its organization. Requires prompt usage tracking to be enabled (403 otherwise). Malformed parameters: 422 " +
                "with every problem listed; missing or invalid key: 401; key for another product or without the scope: 403.")
            .DocumentsParameters(
                ("product_id", "uuid", true, null),
                ("start_date", "date", true, null),
                ("end_date", "date", true, null),
                ("product_ids", "uuid", false, null),
                ("origin", string.Empty, false, PromptUsageQuery.Origins))
            .Produces<ValidationErrorResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces<ErrorDetail>(StatusCodes.Status401Unauthorized)
            .Produces<ErrorDetail>(StatusCodes.Status403Forbidden)
            .Produces<ErrorDetail>(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter(new EngineUnavailableFilter(message => TypedResults.Json(new ErrorDetail(message), statusCode: StatusCodes.Status503ServiceUnavailable)));
        return app;
    }
}
