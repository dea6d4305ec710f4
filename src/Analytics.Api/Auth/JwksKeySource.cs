using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Analytics.Api.Auth;

/// <summary>
/// The RSA and EC public keys of a JWKS document, from <c>Analytics:Jwt:JwksUrl</c> or <c>JwksPath</c>. The set is
/// fetched on first use, again once it is older than <see cref="JwtOptions.JwksRefreshInterval"/>, and again when a
/// token names a <c>kid</c> it lacks (a key the identity provider rotated in); never twice within
/// <see cref="JwtOptions.JwksMinRefreshInterval"/>. A failed fetch keeps the keys already held.
/// </summary>
public sealed partial class JwksKeySource
{
    private readonly Func<CancellationToken, Task<string>>? load;
    private readonly JwtOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<JwksKeySource> logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Snapshot current = new([], DateTimeOffset.MinValue);

    public JwksKeySource(IOptions<AnalyticsOptions> analytics, IHttpClientFactory http, TimeProvider time, ILogger<JwksKeySource> logger)
    {
        options = analytics.Value.Jwt;
        this.time = time;
        this.logger = logger;
        var url = string.IsNullOrWhiteSpace(options.JwksUrl) ? null : options.JwksUrl.Trim();
        var path = string.IsNullOrWhiteSpace(options.JwksPath) ? null : options.JwksPath.Trim();
        if (url is not null && path is not null)
        {
            throw new InvalidOperationException("Set Analytics:Jwt:JwksUrl or Analytics:Jwt:JwksPath, not both.");
        }

        if (url is not null)
        {
            var uri = new Uri(url, UriKind.Absolute);
            if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
            {
                // Keys fetched in the clear could be swapped on the way, and with them every credential.
                throw new InvalidOperationException("Analytics:Jwt:JwksUrl must be an https URL (http only on a loopback address).");
            }

            load = async cancellationToken =>
            {
                using var client = http.CreateClient(nameof(JwksKeySource));
                return await client.GetStringAsync(uri, cancellationToken);
            };
        }
        else if (path is not null)
        {
            load = cancellationToken => File.ReadAllTextAsync(path, cancellationToken);
        }
    }

    /// <summary>True when a JWKS source is configured, so RS256 and ES256 tokens can be verified at all.</summary>
    public bool Configured => load is not null;

    /// <summary>The keys to verify a token naming <paramref name="kid"/> with; fetches the set first when due.</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>> KeysAsync(string? kid, CancellationToken cancellationToken)
    {
        if (load is null)
        {
            return [];
        }

        var snapshot = current;
        if (Due(snapshot, kid))
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                // Another request may have fetched while this one waited.
                if (Due(current, kid))
                {
                    current = await FetchAsync(current, cancellationToken);
                }
            }
            finally
            {
                gate.Release();
            }

            snapshot = current;
        }

        return snapshot.Keys;
    }

    private bool Due(Snapshot snapshot, string? kid)
    {
        var age = time.GetUtcNow() - snapshot.AttemptedAt;
        if (age < options.JwksMinRefreshInterval)
        {
            return false;
        }

        return age >= options.JwksRefreshInterval || (kid is not null && !snapshot.Keys.Any(k => k.KeyId == kid));
    }

    private async Task<Snapshot> FetchAsync(Snapshot previous, CancellationToken cancellationToken)
    {
        var attempted = time.GetUtcNow();
        try
        {
            var set = new JsonWebKeySet(await load!(cancellationToken)) { SkipUnresolvedJsonWebKeys = true };

            // Only public keys of the asymmetric kinds: a symmetric ("oct") key in a published set would let
            // anyone who can read the set sign tokens.
            var keys = set.Keys.Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
                .Cast<SecurityKey>().ToArray();
            LogFetched(logger, keys.Length);
            return new Snapshot(keys, attempted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFetchFailed(logger, ex);
            return previous with { AttemptedAt = attempted };
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "JWKS key set read: {Count} RSA or EC keys")]
    private static partial void LogFetched(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "JWKS key set could not be read; the keys held before stay in use")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception);

    private sealed record Snapshot(IReadOnlyList<SecurityKey> Keys, DateTimeOffset AttemptedAt);
}
