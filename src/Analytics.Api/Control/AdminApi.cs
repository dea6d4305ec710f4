using System.Text.Json.Serialization;
using Analytics.Api.Auth;
using Analytics.Api.Infrastructure;
using Analytics.Api.Ingestion;

namespace Analytics.Api.Control;

/// <summary>Key management and workspace settings, for the bootstrap admin token or an admin key of the workspace.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Admin").RequireAuthorization(Scopes.Admin);
        admin.MapPost("/keys", CreateKeyAsync).WithName("CreateApiKey")
            .WithSummary("Create an API key; the secret is shown only in this answer.")
            .DocumentsJsonBody<CreateKeyRequest>(required: true)
            .Produces<CreatedKey>(201).Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(415);
        admin.MapDelete("/keys/{id}", RevokeKeyAsync).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key at once.")
            .Produces(204).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(404);
        admin.MapPut("/workspaces/{workspace_id}/settings", PutSettingsAsync).WithName("PutWorkspaceSettings")
            .WithSummary("Change a workspace's settings (prompt_usage_tracking).")
            .DocumentsJsonBody<WorkspaceSettings>(required: true)
            .Produces<WorkspaceSettings>().Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(415);
        return app;
    }

    /// <summary>
    /// The workspace an admin request acts in (the key's own, or <c>X-Workspace-Id</c> for the bootstrap token, unless
    /// the route names one), or the error to answer with. The "admin" policy has already checked the scope.
    /// </summary>
    internal static async Task<(string? Workspace, IResult? Denied)> AuthorizeAsync(HttpContext context, string? workspace = null)
    {
        var credential = await context.CredentialAsync();
        if (credential is null)
        {
            return (null, ErrorResponse.Result(401, "missing or invalid credential"));
        }

        workspace ??= IngestionApi.WorkspaceOf(credential, context.Request);
        if (workspace is null)
        {
            return (null, ErrorResponse.Result(400, "the admin token acts for a workspace named in the X-Workspace-Id header"));
        }

        return credential.Has(Scopes.Admin) && credential.CanAccess(workspace)
            ? (workspace, null)
            : (null, ErrorResponse.Result(403, "the credential is not an admin of this workspace"));
    }

    private static async Task<IResult> CreateKeyAsync(HttpContext context, ApiKeyStore keys)
    {
        var (body, unreadable) = await JsonRequestBody.ReadAsync<CreateKeyRequest>(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (body?.WorkspaceId is not { Length: > 0 } workspace || TextLength.Exceeds(workspace, EventParser.MaxIdLength))
        {
            return ErrorResponse.Result(400, $"workspace_id is required (1-{EventParser.MaxIdLength} characters)");
        }

        var (_, denied) = await AuthorizeAsync(context, workspace);
        if (denied is not null)
        {
            return denied;
        }

        if (body.Scopes is not { Length: > 0 } scopes || scopes.Any(s => !Scopes.All.Contains(s)))
        {
            return ErrorResponse.Result(400, "scopes must list one or more of ingest, read, admin");
        }

        Guid? product = null;
        if (body.ProductId is { Length: > 0 } productText)
        {
            if (!Guid.TryParse(productText, out var parsed))
            {
                return ErrorResponse.Result(400, "product_id must be a UUID");
            }

            product = parsed;
        }

        var (key, secret) = await keys.CreateAsync(workspace, scopes, product, body.Name, context.RequestAborted);
        return Results.Json(CreatedKey.From(key, secret), statusCode: 201);
    }

    private static async Task<IResult> RevokeKeyAsync(HttpContext context, ApiKeyStore keys, string id)
    {
        // The "admin" policy let only an authenticated admin through.
        var credential = (await context.CredentialAsync())!;
        var revoked = await keys.RevokeAsync(id, credential, context.RequestAborted);
        return revoked switch
        {
            null => ErrorResponse.Result(404, $"no key {id}"),
            { Revoked: false } => ErrorResponse.Result(403, "the credential is not an admin of the key's workspace"),
            _ => Results.NoContent(),
        };
    }

    private static async Task<IResult> PutSettingsAsync(HttpContext context, ControlStore control, string workspace_id)
    {
        var (_, denied) = await AuthorizeAsync(context, workspace_id);
        if (denied is not null)
        {
            return denied;
        }

        var (body, unreadable) = await JsonRequestBody.ReadAsync<WorkspaceSettings>(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (body?.PromptUsageTracking is not { } enabled)
        {
            return ErrorResponse.Result(400, "prompt_usage_tracking (true or false) is required");
        }

        await control.SetPromptUsageTrackingAsync(workspace_id, enabled, context.RequestAborted);
        return Results.Ok(body);
    }
}

public sealed record CreateKeyRequest(
    [property: JsonPropertyName("workspace_id")] string? WorkspaceId,
    [property: JsonPropertyName("scopes")] string[]? Scopes,
    [property: JsonPropertyName("product_id")] string? ProductId,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>A new key: <c>key</c> is the secret, shown only here.</summary>
public sealed record CreatedKey(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("workspace_id")] string WorkspaceId,
    [property: JsonPropertyName("scopes")] string[] Scopes,
    [property: JsonPropertyName("product_id")] Guid? ProductId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt)
{
    public static CreatedKey From(ApiKey key, string secret) =>
        new(key.Id, secret, key.WorkspaceId, key.Scopes, key.ProductId, key.Name, key.CreatedAt);
}

public sealed record WorkspaceSettings([property: JsonPropertyName("prompt_usage_tracking")] bool? PromptUsageTracking);
