using Analytics.Api.Infrastructure;
using Analytics.Api.Features.Shared;
using Analytics.Api.Features.UserStats;
using Analytics.Api.Telemetry;

// In the root namespace so that Hosting maps it without another using.
namespace Analytics.Api.Features.UserStats;

/// <summary>The user-stats extract API (seed 002), drop-in compatible with its vendor.</summary>
public static class UserStatsApi
{
    public static IEndpointRouteBuilder MapUserStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/histories/charts/user-stats", UserStatsHandler.HandleAsync)
            .WithName("PostUserStats")
            .WithMetadata(new QueryApi("user_stats"))
            .WithTags("Admin Histories")
            .WithSummary("Long-format per-user-per-period usage extract")
            .WithDescription(
                "Aggregates query count and credit usage per (user, institution, period) for admin reporting / CSV export. One row per " +
                "non-zero usage bucket, ordered by periodStart, user, institution. At most 5000 rows; truncated is true exactly when more " +
                "matched. The summary covers every matching row. Excludes forgotten histories. Credential in `x-access-token`, scope " +
                "`admin`; the bootstrap admin token names the workspace in `X-Workspace-Id`. `Accept: text/csv` answers the rows as CSV " +
                "(header `X-Truncated`). Errors: 400/401/403 with {\"success\": false, \"error\"}.")
            .DocumentsJsonBody<UserStatsBody>(required: false)
            .DocumentsTextAlternative("text/csv", "With `Accept: text/csv`: the data rows as RFC 4180 CSV with a header line; `X-Truncated` says whether rows were cut.")
            .Produces<UserStatsError>(StatusCodes.Status400BadRequest)
            .Produces<UserStatsError>(StatusCodes.Status401Unauthorized)
            .Produces<UserStatsError>(StatusCodes.Status403Forbidden)
            .Produces<UserStatsError>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<UserStatsError>(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter(new EngineUnavailableFilter(message => TypedResults.Json(new UserStatsError(false, message), statusCode: StatusCodes.Status503ServiceUnavailable)));
        return app;
    }
}
