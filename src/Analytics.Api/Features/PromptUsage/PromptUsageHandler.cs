using Analytics.Api.Auth;
using Analytics.Api.Control;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Features.PromptUsage;

/// <summary><c>GET /api/v1/products/{product_id}/usage/prompts</c>: prompts per product, user and UTC day, workspace-wide.</summary>
internal static class PromptUsageHandler
{
    public static async Task<Results<Ok<PromptUsageRow[]>, JsonHttpResult<ValidationErrorResponse>, JsonHttpResult<ErrorDetail>>> HandleAsync(
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

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<PromptUsageRow>(new CommandDefinition(
            SqlFiles.Query("prompt_usage"),
            QueryParameters.From(new { workspace, start = query.Start, end = query.End, products = query.ProductIds, search = query.Search, origin = query.Origin }),
            cancellationToken: cancellationToken))).ToArray();

        PromptUsageLog.Served(logger, workspace, query.Start, query.End, rows.Length);
        return TypedResults.Ok(rows);
    }

    private static JsonHttpResult<ErrorDetail> Denied(ILogger logger, int status, string detail)
    {
        PromptUsageLog.Rejected(logger, status, detail);
        return TypedResults.Json(new ErrorDetail(detail), statusCode: status);
    }
}
