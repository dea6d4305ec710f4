namespace Analytics.Api.Hosting;

/// <summary>
/// The analysts' dashboard: static files from <c>wwwroot</c> (plain ES modules, no build step), served at
/// <c>/</c>. The page reads the service's own APIs with the key the user signs in with.
/// </summary>
public static class DashboardFiles
{
    // Only the page's own scripts, styles and API calls; no inline script or style, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Revalidated on every load (answered 304 when unchanged), so a new version is never mixed with cached modules.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
