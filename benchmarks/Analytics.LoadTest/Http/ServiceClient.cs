using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Analytics.LoadTest.Http;

/// <summary>The HTTP side of the service under test, on 127.0.0.1 only: health, a key, caps.</summary>
internal sealed class ServiceClient : IDisposable
{
    public ServiceClient(LoadTestOptions options)
    {
        Http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency + 2,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = new Uri(options.Url),
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public HttpClient Http { get; }

    /// <summary>Polls <c>/healthz</c> until the service answers, at most <paramref name="limit"/>.</summary>
    public async Task WaitHealthyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync("/healthz", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"the service at {Http.BaseAddress} did not become healthy within {limit.TotalSeconds:F0} s");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Creates a key with every scope for <paramref name="workspace"/> and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string adminToken, string workspace, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/keys")
        {
            Content = JsonContent.Create(new { workspace_id = workspace, scopes = new[] { "ingest", "read", "admin" }, name = "load-test" }),
        };
        request.Headers.Authorization = new("Bearer", adminToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"creating a key answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("key").GetString() ?? throw new InvalidOperationException("the key answer holds no key");
    }

    public async Task SetCapAsync(string key, string userId, decimal cap, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/users/{Uri.EscapeDataString(userId)}/cap")
        {
            Content = JsonContent.Create(new { cap_limit = cap }),
        };
        request.Headers.Add("X-API-Key", key);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"setting a cap answered {(int)response.StatusCode}: {body}"));
        }
    }

    public void Dispose() => Http.Dispose();
}
