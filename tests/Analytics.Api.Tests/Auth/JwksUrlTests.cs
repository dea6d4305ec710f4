using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Tests.Auth;

/// <summary>
/// An identity provider's JWKS URL, served on loopback: the service follows its key rotation, fetching on first use,
/// on an unknown <c>kid</c> and once the set is old, never more often than the configured least interval.
/// </summary>
public sealed class JwksUrlTests
{
    private readonly JwksDocument jwks = new();
    private readonly ShiftedClock clock = new();
    private WebApplication provider = null!;
    private AnalyticsFactory factory = null!;
    private int fetches;

    [OneTimeSetUp]
    public async Task Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        provider = builder.Build();
        provider.MapGet("/jwks.json", () =>
        {
            Interlocked.Increment(ref fetches);
            return Results.Text(jwks.Json(), "application/json");
        });
        await provider.StartAsync();
        var url = provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/jwks.json";

        factory = await AnalyticsFactory.StartFreshAsync(nameof(JwksUrlTests), new()
        {
            ["Analytics:Jwt:JwksUrl"] = url,
            ["Analytics:Jwt:JwksMinRefreshInterval"] = "00:10:00",
            ["Analytics:Jwt:JwksRefreshInterval"] = "01:00:00",
        }, services => services.AddSingleton<TimeProvider>(clock));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await factory.DisposeAsync();
        await provider.DisposeAsync();
        jwks.Dispose();
    }

    [Test]
    public async Task KeysFollowTheProvidersRotation_AtABoundedRate()
    {
        var first = Token(jwks.AddRsa("k1"));
        Assert.That(await WhoAmI(first), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await WhoAmI(first), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(fetches, Is.EqualTo(1), "fetched on first use, then held");

        // A key rotated in moments after the last fetch waits for the least interval: made-up kids cost no fetches.
        var second = Token(jwks.AddEc("k2"));
        Assert.That(await WhoAmI(second), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await WhoAmI(second), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(fetches, Is.EqualTo(1));

        clock.Offset += TimeSpan.FromMinutes(11);
        Assert.That(await WhoAmI(second), Is.EqualTo(HttpStatusCode.OK), "an unknown kid fetches the set again");
        Assert.That(fetches, Is.EqualTo(2));

        using var unpublished = new JwksDocument();
        var forged = Token(unpublished.AddRsa("k-unknown"));
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await WhoAmI(forged), Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(fetches, Is.EqualTo(2), "unknown kids right after a fetch fetch nothing");

        // A key the provider withdrew stops working once the set is old enough to be fetched again.
        jwks.Remove("k1");
        clock.Offset += TimeSpan.FromMinutes(61);
        Assert.That(await WhoAmI(first), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(fetches, Is.EqualTo(3));
        Assert.That(await WhoAmI(second), Is.EqualTo(HttpStatusCode.OK));
    }

    private static string Token(SecurityKey key) => TestTokens.Sign(
        new { workspace_id = "ws-rotation", scope = "read" },
        key,
        key is RsaSecurityKey ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.EcdsaSha256);

    private async Task<HttpStatusCode> WhoAmI(string token)
    {
        using var client = factory.CreateClient(token);
        return (await client.GetAsync("/v1/auth/whoami")).StatusCode;
    }

    /// <summary>The system clock, moved forward by <see cref="Offset"/>.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
