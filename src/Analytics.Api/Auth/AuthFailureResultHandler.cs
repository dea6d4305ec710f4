using Analytics.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Analytics.Api.Auth;

/// <summary>
/// Answers a request the policies refuse in the endpoint's own error shape (<see cref="AuthFailureShape"/>) rather
/// than the framework's empty 401/403: clients of each API read its error body.
/// </summary>
public sealed class AuthFailureResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var render = context.GetEndpoint()?.Metadata.GetMetadata<AuthFailureShape>()?.Render ?? ErrorResponse.Result;
        var result = authorizeResult.Forbidden
            ? render(StatusCodes.Status403Forbidden, ForbiddenMessage(authorizeResult.AuthorizationFailure))
            : render(StatusCodes.Status401Unauthorized, "missing or invalid credential");
        await result.ExecuteAsync(context);
    }

    private static string ForbiddenMessage(AuthorizationFailure? failure)
    {
        var scope = failure?.FailedRequirements.OfType<ClaimsAuthorizationRequirement>()
            .SelectMany(r => r.AllowedValues ?? []).FirstOrDefault();
        return scope switch
        {
            Scopes.Admin => "the credential is not an admin",
            null => "the credential may not do this",
            _ => $"the credential lacks the '{scope}' scope",
        };
    }
}
