using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.LoadTest.Model;
using Analytics.LoadTest.Queries;

namespace Analytics.LoadTest.Http;

/// <summary>The three APIs' requests as their vendors' clients send them, and the checksums of their answers.</summary>
internal static class ApiRequests
{
    public static HttpRequestMessage PromptStats(PromptStatsCase c, string key, string workspace)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analytics/saas/prompt-templates/stats")
        {
            Content = JsonContent.Create(new { dateFrom = TrafficModel.Date(c.From), dateTo = TrafficModel.Date(c.To), prompt_ids = c.PromptIds }),
        };
        request.Headers.Add("X-API-Key", key);
        request.Headers.Add("X-Workspace-Id", workspace);
        return request;
    }

    public static HttpRequestMessage PromptUsage(PromptUsageCase c, string key)
    {
        var query = new StringBuilder($"/api/v1/products/{c.PathProduct}/usage/prompts?start_date={TrafficModel.Date(c.Start)}&end_date={TrafficModel.Date(c.End)}");
        foreach (var product in c.ProductIds)
        {
            query.Append(CultureInfo.InvariantCulture, $"&product_ids={product}");
        }

        if (c.Search.Length > 0)
        {
            query.Append("&search=").Append(Uri.EscapeDataString(c.Search));
        }

        if (c.Origin.Length > 0)
        {
            query.Append("&origin=").Append(c.Origin);
        }

        var request = new HttpRequestMessage(HttpMethod.Get, query.ToString());
        request.Headers.Add("X-API-Key", key);
        return request;
    }

    public static HttpRequestMessage UserStats(UserStatsCase c, string key)
    {
        var body = new Dictionary<string, object>
        {
            ["granularity"] = c.Granularity,
            ["daterange"] = new Dictionary<string, string> { ["start"] = Instant(c.Start), ["end"] = Instant(c.End) },
        };
        if (c.Accounts.Length > 0)
        {
            body["account"] = string.Join(' ', c.Accounts);
        }

        if (c.Institutions.Length > 0)
        {
            body["institution"] = string.Join(' ', c.Institutions);
        }

        if (c.Role.Length > 0)
        {
            body["role"] = c.Role;
        }

        if (c.Search.Length > 0)
        {
            body["usersearch"] = c.Search;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/histories/charts/user-stats") { Content = JsonContent.Create(body) };
        request.Headers.Add("x-access-token", key);
        return request;
    }

    public static string PromptStatsChecksum(byte[] answer)
    {
        using var json = JsonDocument.Parse(answer);
        long calls = 0;
        var cost = 0m;
        foreach (var stat in json.RootElement.GetProperty("data").GetProperty("stats").EnumerateObject())
        {
            calls += stat.Value.GetProperty("total_calls").GetInt64();
            cost += stat.Value.GetProperty("cost_sum").GetDecimal();
        }

        return Checksum.PromptStats(calls, cost);
    }

    public static string PromptUsageChecksum(byte[] answer)
    {
        using var json = JsonDocument.Parse(answer);
        long rows = 0, prompts = 0;
        foreach (var row in json.RootElement.EnumerateArray())
        {
            rows++;
            prompts += row.GetProperty("prompt_count").GetInt64();
        }

        return Checksum.PromptUsage(rows, prompts);
    }

    /// <summary>B's checksum and the hash of the whole answer, which the engine writes and the service passes on byte for byte.</summary>
    public static string PromptUsageDigest(byte[] answer) => Checksum.Digest(PromptUsageChecksum(answer), answer);

    public static string UserStatsChecksum(byte[] answer)
    {
        using var json = JsonDocument.Parse(answer);
        var root = json.RootElement;
        long rows = 0, queries = 0;
        foreach (var row in root.GetProperty("data").EnumerateArray())
        {
            rows++;
            queries += row.GetProperty("queryCount").GetInt64();
        }

        return Checksum.UserStats(rows, queries, root.GetProperty("truncated").GetBoolean(), root.GetProperty("summary").GetProperty("usersAtCap").GetInt64());
    }

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
