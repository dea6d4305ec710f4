using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace Analytics.ClickHouse.Loopback;

/// <summary>
/// The official ClickHouse server image in a throwaway container (Testcontainers), for the suites that run
/// against a real server wherever a Docker engine answers; or the server <c>CLICKHOUSE_TEST_URL</c> names.
/// One per test process, removed when it ends.
/// </summary>
public static class OfficialServer
{
    /// <summary>The server image the suites run against.</summary>
    public const string Image = "clickhouse/clickhouse-server:25.8";

    private static readonly Lazy<Task<(Uri? Url, string? Why)>> Started = new(StartAsync);
    private static IContainer? container;

    /// <summary>
    /// The server's HTTP interface, started on first use; or null with the reason why there is none (no Docker
    /// engine, the image would not start), for the caller to skip with.
    /// </summary>
    public static Task<(Uri? Url, string? Why)> UrlAsync() => Started.Value;

    /// <summary>Removes the container, if one was started.</summary>
    public static async Task StopAsync()
    {
        if (container is not null)
        {
            await container.DisposeAsync().ConfigureAwait(false);
            container = null;
        }
    }

    private static async Task<(Uri?, string?)> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_URL") is { Length: > 0 } configured)
        {
            return (new Uri(configured), null);
        }

        if (!DockerAnswers())
        {
            return (null, "No real ClickHouse server to test against: no Docker engine answers to start the official image, and CLICKHOUSE_TEST_URL is not set.");
        }

        try
        {
            var started = new ContainerBuilder(Image)
                .WithPortBinding(8123, assignRandomHostPort: true)
                .WithEnvironment("CLICKHOUSE_SKIP_USER_SETUP", "1")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => request.ForPort(8123).ForPath("/ping")))
                .Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await started.StartAsync(timeout.Token).ConfigureAwait(false);
            container = started;
            return (new Uri($"http://{started.Hostname}:{started.GetMappedPublicPort(8123)}"), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (null, $"Docker could not start {Image}: {ex.Message}");
        }
    }

    // Testcontainers finds the engine itself; where none runs, the socket's absence (and no DOCKER_HOST) says so at
    // once, with a reason a reader understands. Where a socket is there but nothing answers, starting fails instead.
    private static bool DockerAnswers() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 }
        || File.Exists("/var/run/docker.sock")
        || (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && File.Exists(Path.Combine(runtime, "docker.sock")));
}
