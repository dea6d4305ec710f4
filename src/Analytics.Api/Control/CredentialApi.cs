using System.Text.Json.Serialization;
using Analytics.Api.Auth;
using Analytics.Api.Infrastructure;
using Dapper;

namespace Analytics.Api.Control;

/// <summary>
/// What a credential may do (<c>GET /v1/auth/whoami</c>) and which workspaces an admin may act for
/// (<c>GET /v1/admin/workspaces</c>): what a client needs to offer only the views a key opens.
/// </summary>
public static class CredentialApi
{
    public static IEndpointRouteBuilder MapCredentialApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/auth/whoami", (Func<HttpContext, Task<IResult>>)WhoAmIAsync).RequireAuthorization().WithName("WhoAmI").WithTags("Admin")
            .WithSummary("The presented credential's workspace, scopes and product; the bootstrap admin token has no workspace of its own.")
            .Produces<WhoAmI>().Produces<ErrorResponse>(401);
        app.MapGet("/v1/admin/workspaces", WorkspacesAsync).RequireAuthorization(Scopes.Admin).WithName("ListWorkspaces").WithTags("Admin")
            .WithSummary("The workspaces the credential may act for: every workspace with a live key or stored usage for the bootstrap admin token, its own for an admin key.")
            .Produces<WorkspaceList>().Produces<ErrorResponse>(401).Produces<ErrorResponse>(403);
        return app;
    }

    private static async Task<IResult> WhoAmIAsync(HttpContext context)
    {
        var credential = await context.CredentialAsync();
        return credential is null
            ? ErrorResponse.Result(401, "missing or invalid credential")
            : Results.Ok(new WhoAmI(
                credential.WorkspaceId,
                [.. Scopes.All.Where(credential.Has).Order(StringComparer.Ordinal)],
                credential.ProductId,
                credential.IsBootstrapAdmin));
    }

    private static async Task<IResult> WorkspacesAsync(HttpContext context, ClickHouseConnectionFactory connections)
    {
        // The "admin" policy let only an authenticated admin through.
        var credential = (await context.CredentialAsync())!;
        if (!credential.IsBootstrapAdmin)
        {
            return Results.Ok(new WorkspaceList([credential.WorkspaceId!]));
        }

        await using var connection = await connections.OpenAsync(context.RequestAborted);
        var workspaces = await connection.QueryAsync<string>(new CommandDefinition(SqlFiles.Query("workspaces_list"), cancellationToken: context.RequestAborted));
        return Results.Ok(new WorkspaceList([.. workspaces]));
    }
}

/// <summary>A credential as the service sees it.</summary>
public sealed record WhoAmI(
    [property: JsonPropertyName("workspace_id")] string? WorkspaceId,
    [property: JsonPropertyName("scopes")] string[] Scopes,
    [property: JsonPropertyName("product_id")] Guid? ProductId,
    [property: JsonPropertyName("bootstrap_admin")] bool BootstrapAdmin);

public sealed record WorkspaceList([property: JsonPropertyName("workspaces")] string[] Workspaces);
