using System.Text;

namespace Analytics.Api.Tests.Features.UserStats;

public sealed partial class UserStatsApiTests
{
    [TestCase("{")]
    [TestCase("[1]")]
    [TestCase("\"day\"")]
    [TestCase("{\"granularity\": \"year\"}")]
    [TestCase("{\"granularity\": 7}")]
    [TestCase("{\"range\": 0}")]
    [TestCase("{\"range\": 3}")]
    [TestCase("{\"range\": -1.5}")]
    [TestCase("{\"range\": -10001}")]
    [TestCase("{\"range\": \"abc\"}")]
    [TestCase("{\"range\": true}")]
    [TestCase("{\"granularity\": \"week\", \"range\": -10000}")]
    [TestCase("{\"daterange\": \"2025-01-01\"}")]
    [TestCase("{\"daterange\": {\"start\": \"2025-01-01T00:00:00Z\"}}")]
    [TestCase("{\"daterange\": {\"start\": \"yesterday\", \"end\": \"2025-01-01T00:00:00Z\"}}")]
    [TestCase("{\"daterange\": {\"start\": \"01/02/2025\", \"end\": \"2025-03-01T00:00:00Z\"}}")]
    [TestCase("{\"daterange\": {\"start\": \"2025-02-01T00:00:00Z\", \"end\": \"2025-01-01T00:00:00Z\"}}")]
    [TestCase("{\"daterange\": {\"start\": \"1969-12-31T00:00:00Z\", \"end\": \"2025-01-01T00:00:00Z\"}}")]
    [TestCase("{\"role\": \"root\"}")]
    [TestCase("{\"account\": 5}")]
    [TestCase("{\"institution\": [\"i1\"]}")]
    [TestCase("{\"usersearch\": {}}")]
    public async Task MalformedRequests_Answer400(string json)
    {
        using var client = Client(adminKey);
        using var response = await client.PostAsync(Path, new StringContent(json, Encoding.UTF8, "application/json"));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [TestCase(null, null, HttpStatusCode.Unauthorized)]
    [TestCase("ak_wrong", null, HttpStatusCode.Unauthorized)]
    [TestCase("read", null, HttpStatusCode.Forbidden)]
    [TestCase("admin", "us_other", HttpStatusCode.Forbidden)]
    [TestCase("bootstrap", null, HttpStatusCode.BadRequest)]
    public async Task Credentials_AreChecked(string? credential, string? workspace, HttpStatusCode status)
    {
        var token = credential switch
        {
            "read" => readKey,
            "admin" => adminKey,
            "bootstrap" => AnalyticsFactory.AdminToken,
            _ => credential,
        };
        using var client = Client(token, workspace);
        using var response = await client.PostAsync(Path, new StringContent("{}", Encoding.UTF8, "application/json"));

        await AssertErrorAsync(response, status);
    }

    [Test]
    public async Task OwnWorkspaceInTheHeader_IsAccepted()
    {
        using var body = await PostOkAsync("{}", adminKey, Workspace);

        Assert.That(body.RootElement.GetProperty("success").GetBoolean(), Is.True);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(body.RootElement.GetProperty("success").GetBoolean(), Is.False);
            Assert.That(body.RootElement.GetProperty("error").GetString(), Is.Not.Empty);
        });
    }
}
