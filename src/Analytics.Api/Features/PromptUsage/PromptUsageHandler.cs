using System.Data.Common;
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
    public static async Task<Results<Ok<IAsyncEnumerable<PromptUsageRow>>, JsonHttpResult<ValidationErrorResponse>, JsonHttpResult<ErrorDetail>>> HandleAsync(
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

        // The statement runs here, so that its errors come before the status line; the rows are then mapped
        // while the answer is written, never all held as objects at once (answers reach hundreds of MB).
        var connection = await connections.OpenAsync(cancellationToken);
        DbDataReader reader;
        try
        {
            reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                SqlFiles.Query("prompt_usage"),
                QueryParameters.From(new { workspace, start = query.Start, end = query.End, products = query.ProductIds, search = query.Search, origin = query.Origin }),
                cancellationToken: cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return TypedResults.Ok(StreamAsync(connection, reader, () => PromptUsageLog.Served(logger, workspace, query.Start, query.End)));
    }

    internal static async IAsyncEnumerable<PromptUsageRow> StreamAsync(DbConnection connection, DbDataReader reader, Action served)
    {
        await using (connection)
        await using (reader)
        {
            var parse = reader.GetRowParser<PromptUsageRow>();
            while (await reader.ReadAsync())
            {
                yield return parse(reader);
            }

            served();
        }
    }

    private static JsonHttpResult<ErrorDetail> Denied(ILogger logger, int status, string detail)
    {
        PromptUsageLog.Rejected(logger, status, detail);
        return TypedResults.Json(new ErrorDetail(detail), statusCode: status);
    }
}
