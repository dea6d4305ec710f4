using System.Collections.Concurrent;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.ClickHouse.Loopback;

/// <summary>
/// ClickHouse's HTTP interface on a loopback port, answered by the embedded engine of this process: what the
/// server path's tests talk to where no ClickHouse server can be had. It follows the documented interface
/// (see the README beside this file for what it does and where it stops) and can be made to fail on demand.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ClickHouseConnection engine;
    private readonly List<(Func<LoopbackRequest, bool> When, LoopbackFault Fault, int Left)> faults = [];
    private readonly ConcurrentQueue<LoopbackRequest> requests = new();

    private LoopbackServer(WebApplication app, ClickHouseConnection engine, LoopbackOptions options)
    {
        this.app = app;
        this.engine = engine;
        Options = options;
        Handler = new LoopbackHandler(this);
    }

    /// <summary>The HTTP interface's address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>How the server was started.</summary>
    public LoopbackOptions Options { get; }

    /// <summary>Every request received since the start or the last <see cref="ClearRequests"/>, in arrival order.</summary>
    public IReadOnlyList<LoopbackRequest> Requests => [.. requests];

    internal IClickHouseTransport Transport => engine.Transport;

    internal LoopbackHandler Handler { get; }

    /// <summary>Starts a server on a free loopback port over the embedded engine at <paramref name="dataPath"/>.</summary>
    public static async Task<LoopbackServer> StartAsync(string dataPath, LoopbackOptions? options = null)
    {
        var engine = new ClickHouseConnection($"Engine=Embedded;Path={dataPath};Database=default");
        await engine.OpenAsync().ConfigureAwait(false);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var inProcess = options?.InProcess == true;
        if (inProcess)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;

            // A server takes a URL of up to 1 MiB (http_max_uri_size); query parameters ride in it.
            kestrel.Limits.MaxRequestLineSize = LoopbackHandler.MaxUriSize + 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = LoopbackHandler.MaxUriSize + 64 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 2 * LoopbackHandler.MaxUriSize;
            });
        }

        var app = builder.Build();
        var server = new LoopbackServer(app, engine, options ?? new LoopbackOptions());
        app.Run(server.Handler.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);

        server.Url = inProcess
            ? new Uri("http://loopback.in-process/")
            : new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    /// <summary>
    /// A handler that hands requests to the server in this process, with no socket in between: for a
    /// server started with <see cref="LoopbackOptions.InProcess"/>.
    /// </summary>
    public HttpMessageHandler CreateHandler() =>
        Options.InProcess
            ? app.GetTestServer().CreateHandler()
            : throw new InvalidOperationException("Only a server started in process hands out a handler; this one listens on " + Url + ".");

    /// <summary>
    /// Makes the next <paramref name="times"/> requests that match <paramref name="when"/> (every request when
    /// null) meet <paramref name="fault"/>. <c>int.MaxValue</c> keeps it until <see cref="ClearFaults"/>.
    /// </summary>
    public void Inject(LoopbackFault fault, int times = 1, Func<LoopbackRequest, bool>? when = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (faults)
        {
            faults.Add((when ?? (_ => true), fault, times));
        }
    }

    /// <summary>Takes back every fault not yet met.</summary>
    public void ClearFaults()
    {
        lock (faults)
        {
            faults.Clear();
        }
    }

    /// <summary>Forgets the requests received so far.</summary>
    public void ClearRequests() => requests.Clear();

    /// <summary>Whether <paramref name="request"/> is an INSERT (for <see cref="Inject"/>).</summary>
    public static bool IsInsert(LoopbackRequest request) =>
        request?.Sql.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) == true;

    internal LoopbackFault? Receive(LoopbackRequest request)
    {
        if (Options.RecordRequests)
        {
            requests.Enqueue(request);
        }

        lock (faults)
        {
            for (var i = 0; i < faults.Count; i++)
            {
                var (when, fault, left) = faults[i];
                if (!when(request))
                {
                    continue;
                }

                if (left == 1)
                {
                    faults.RemoveAt(i);
                }
                else if (left != int.MaxValue)
                {
                    faults[i] = (when, fault, left - 1);
                }

                return fault;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        await engine.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>How a <see cref="LoopbackServer"/> behaves.</summary>
public sealed record LoopbackOptions
{
    /// <summary>When set, requests must name this user (header, basic auth or <c>user=</c>) and <see cref="Password"/>.</summary>
    public string? User { get; init; }

    /// <summary>The password <see cref="User"/> must present.</summary>
    public string? Password { get; init; }

    /// <summary>Keep each request in <see cref="LoopbackServer.Requests"/> (off for load: the log grows).</summary>
    public bool RecordRequests { get; init; } = true;

    /// <summary>
    /// Answer in this process only, through <see cref="LoopbackServer.CreateHandler"/>, instead of on a port: the
    /// embedded engine as a transport of an HTTP client, with no socket's cost (ASP.NET Core's test server).
    /// </summary>
    public bool InProcess { get; init; }
}
