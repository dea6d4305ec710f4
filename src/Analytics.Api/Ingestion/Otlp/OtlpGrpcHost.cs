using System.Net;
using Analytics.Api.Auth;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Ingestion.Otlp;

/// <summary>
/// The OTLP/gRPC endpoint on a port of its own (<see cref="AnalyticsOptions.OtlpGrpcUrl"/>), when configured: gRPC
/// wants HTTP/2, which a plain-text port cannot share with the HTTP/1.1 APIs. It is a small server of its own inside
/// the service, over the service's own writer, credentials and settings; it stops before the writer drains.
/// </summary>
internal sealed partial class OtlpGrpcHost(IServiceProvider services, IOptions<AnalyticsOptions> options, ILogger<OtlpGrpcHost> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? app;

    /// <summary>The address the endpoint listens on, once started (with the port the system gave for port 0).</summary>
    public Uri? Url { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.OtlpGrpcUrl is not { Length: > 0 } configured)
        {
            return;
        }

        if (!Uri.TryCreate(configured, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"Analytics:OtlpGrpcUrl must be an http:// address such as http://0.0.0.0:4317, not '{configured}'.");
        }

        var address = url.IsLoopback ? IPAddress.Loopback : IPAddress.Parse(url.Host);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(services.GetRequiredService<ILoggerFactory>());
        builder.Services.AddSingleton(services.GetRequiredService<CredentialResolver>());
        builder.Services.AddSingleton(services.GetRequiredService<EventWriter>());
        builder.Services.AddSingleton(services.GetRequiredService<TimeProvider>());
        builder.Services.AddSingleton(options);
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, options.Value.Ingestion.MaxBodyBytes));
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(address, url.Port, listen => listen.Protocols = HttpProtocols.Http2));
        app = builder.Build();
        app.MapGrpcService<OtlpGrpcService>();
        await app.StartAsync(cancellationToken);

        var bound = app.Urls.First();
        Url = new Uri(bound);
        LogListening(logger, Url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
            app = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OTLP/gRPC trace export listening on {Url}")]
    private static partial void LogListening(ILogger logger, Uri url);
}
