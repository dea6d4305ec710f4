using System.Net.Http.Headers;

namespace Analytics.Api.Tests.Features;

/// <summary>Clients presenting credentials the way each vendor's clients do.</summary>
internal static class ApiClients
{
    /// <summary>A client that sends <paramref name="token"/> in <paramref name="header"/> (no credential when null).</summary>
    public static HttpClient WithHeader(this AnalyticsFactory factory, string header, string? token) => WithHeader(factory.CreateClient(), header, token);

    public static HttpClient WithHeader(HttpClient client, string header, string? token)
    {
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add(header, token);
        }

        return client;
    }

    public static HttpClient Admin(this AnalyticsFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AnalyticsFactory.AdminToken);
        return client;
    }

    /// <summary>A signed JWT for <paramref name="workspace"/> with <paramref name="scopes"/>.</summary>
    public static string Jwt(string workspace, params string[] scopes) =>
        Tests.Auth.TestTokens.Hs256(AnalyticsFactory.JwtKey, new { workspace_id = workspace, scopes, exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() });

    /// <summary>Forgets histories through the control API.</summary>
    public static async Task ForgetAsync(this AnalyticsFactory factory, string workspace, params string[] historyIds)
    {
        using var client = factory.Admin();
        client.DefaultRequestHeaders.Add("X-Workspace-Id", workspace);
        using var response = await client.PostAsJsonAsync("/v1/histories/forget", new { history_ids = historyIds });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
