using Analytics.Api.Auth;
using Analytics.Api.Control;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Features.PromptUsage;

/// <summary><c>GET /api/v1/products/{product_id}/usage/prompts</c>: prompts per product, user and UTC day, workspace-wide.</summary>
internal static class PromptUsageHandler
{
    public static async Task<Results<EngineJson<PromptUsageRow>, JsonHttpResult<ValidationErrorResponse>, JsonHttpResult<ErrorDetail>>> HandleAsync(
        HttpContext context,
        [AsParameters] PromptUsageParameters parameters,
        CredentialResolver credentials,
        ControlStore control,
        ClickHouseConnectionFactory connections,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(PromptUsageHandler));
        var access = await QueryAccess.ResolveAsync(context, credentials, Scopes.Read, parameters.WorkspaceId);
        if (access.Failure is AccessFailure.Unauthenticated or AccessFailure.Forbidden)
        {
            return Denied(logger, access.Failure == AccessFailure.Unauthenticated ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden, access.Message);
        }

        var (query, errors) = PromptUsageQuery.Parse(parameters);
        if (access.Failure == AccessFailure.WorkspaceMissing)
        {
            errors.Add(new(["header", QueryAccess.WorkspaceHeader.ToLowerInvariant()], "Field required", "missing", null));
        }

        if (query is null || errors.Count > 0)
        {
            PromptUsageLog.Rejected(logger, StatusCodes.Status422UnprocessableEntity, string.Join("; ", errors.Select(e => e.Msg)));
            return TypedResults.Json(new ValidationErrorResponse(errors), statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        // A product-bound key opens only its own product's door, but sees the whole workspace behind it.
        if (access.Credential!.ProductId is { } boundTo && boundTo != query.ProductId)
        {
            return Denied(logger, StatusCodes.Status403Forbidden, "this API key is not authorized for this product");
        }

        var workspace = access.WorkspaceId!;
        if (!await control.PromptUsageTrackingAsync(workspace, cancellationToken))
        {
            return Denied(logger, StatusCodes.Status403Forbidden, "Prompt usage tracking is disabled for this organization. Enable prompt usage tracking to use this endpoint.");
        }

        // The engine writes the answer's JSON itself (up to hundreds of MB for a month of every user), so
        // no row becomes an object here; the statement runs before the status line, so its errors come first.
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = SqlFiles.Query("prompt_usage");
        command.Parameters.AddWithValue("workspace", workspace);
        command.Parameters.AddWithValue("start", query.Start);
        command.Parameters.AddWithValue("end", query.End);
        command.Parameters.AddWithValue("products", query.ProductIds);
        command.Parameters.AddWithValue("search", query.Search);
        command.Parameters.AddWithValue("origin", query.Origin);
        return await EngineJson<PromptUsageRow>.RunAsync(command, () => PromptUsageLog.Served(logger, workspace, query.Start, query.End), cancellationToken);
    }

    private static JsonHttpResult<ErrorDetail> Denied(ILogger logger, int status, string detail)
    {
        PromptUsageLog.Rejected(logger, status, detail);
        return TypedResults.Json(new ErrorDetail(detail), statusCode: status);
    }
}
