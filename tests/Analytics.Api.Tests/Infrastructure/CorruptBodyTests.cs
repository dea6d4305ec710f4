using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>
/// Every endpoint that reads a body answers one it cannot read in its own error shape, and logs no error for the
/// caller's mistake: ingestion answers gzip that is not gzip with 400; the other endpoints read plain JSON only and
/// answer a content-encoded body with 415 (rather than reading it as if it were plain), JSON that is not JSON with 400.
/// </summary>
public sealed class CorruptBodyTests
{
    private const string Workspace = "ws-corrupt";
    private readonly LogCapture logs = new();
    private AnalyticsFactory factory = null!;
    private WebApplicationFactory<Program> logged = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        factory = await AnalyticsFactory.StartFreshAsync(nameof(CorruptBodyTests));
        logged = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await logged.DisposeAsync();
        await factory.DisposeAsync();
    }

    public static IEnumerable<TestCaseData> Endpoints()
    {
        var bodies = new (string Name, byte[] Bytes, bool Gzip)[]
        {
            ("corrupt gzip", [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x03, 0x01, 0x02, 0x03], true),
            ("not gzip, said to be", Encoding.UTF8.GetBytes("{\"cap_limit\":1}"), true),
            ("not JSON", Encoding.UTF8.GetBytes("{\"cap_limit\":"), false),
        };
        var endpoints = new (string Method, string Path, string ErrorField)[]
        {
            ("POST", "/v1/events", "error"),
            ("POST", "/v1/admin/keys", "error"),
            ("PUT", $"/v1/admin/workspaces/{Workspace}/settings", "error"),
            ("POST", "/v1/histories/forget", "error"),
            ("PUT", "/v1/users/u1/cap", "error"),
            ("POST", "/v1/analytics/saas/prompt-templates/stats", "message"),
            ("POST", "/api/admin/histories/charts/user-stats", "error"),
        };
        foreach (var (method, path, field) in endpoints)
        {
            foreach (var (name, bytes, gzip) in bodies)
            {
                if (path == "/v1/events" && !gzip)
                {
                    continue; // a line that is not JSON is quarantined, not refused (IngestionTests)
                }

                var status = gzip && path != "/v1/events" ? HttpStatusCode.UnsupportedMediaType : HttpStatusCode.BadRequest;
                yield return new TestCaseData(method, path, field, bytes, gzip, status).SetArgDisplayNames(method, path, name);
            }
        }
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task ABodyThatCannotBeRead_Is4xxInTheEndpointsOwnShape_AndLogsNoError(string method, string path, string errorField, byte[] bytes, bool gzip, HttpStatusCode status)
    {
        using var client = logged.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AnalyticsFactory.AdminToken);
        client.DefaultRequestHeaders.Add("X-Workspace-Id", Workspace);
        client.DefaultRequestHeaders.Add("x-access-token", AnalyticsFactory.AdminToken);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(path == "/v1/events" ? "application/x-ndjson" : "application/json");
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        var before = logs.Entries.Count;
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), text);
            Assert.That(text.Length > 0 && JsonDocument.Parse(text).RootElement.TryGetProperty(errorField, out _), Is.True, text);
            Assert.That(logs.Entries.Skip(before).Where(e => e.Level >= LogLevel.Error || e.Exception is not null).Select(e => e.Message), Is.Empty);
        });
    }
}
