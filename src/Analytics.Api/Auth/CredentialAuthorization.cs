using Microsoft.AspNetCore.Authorization;

namespace Analytics.Api.Auth;

/// <summary>The authentication scheme and one authorization policy per scope: <c>ingest</c>, <c>read</c>, <c>admin</c>.</summary>
public static class CredentialAuthorization
{
    public static IServiceCollection AddCredentialAuthorization(this IServiceCollection services)
    {
        services.AddAuthentication(CredentialAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, CredentialAuthenticationHandler>(CredentialAuthenticationHandler.SchemeName, null);
        var policies = services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            policies.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(CredentialAuthenticationHandler.ScopeClaim, scope));
        }

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthFailureResultHandler>();
        return services;
    }

    /// <summary>The credential the request was authenticated with (after <c>RequireAuthorization</c>, never null).</summary>
    public static ValueTask<Credential?> CredentialAsync(this HttpContext context) =>
        context.RequestServices.GetRequiredService<CredentialResolver>().ResolveAsync(context);

    /// <summary>Says how this endpoint's API words a refusal (see <see cref="AuthFailureShape"/>).</summary>
    public static TBuilder WithAuthFailureShape<TBuilder>(this TBuilder builder, Func<int, string, IResult> render)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AuthFailureShape(render));
}
