using System.Text;

namespace Analytics.Api.Tests.Features.UserStats;

public sealed partial class UserStatsApiTests
{
    [Test]
    public async Task AcceptCsv_AnswersTheSameRowsAsCsv()
    {
        const string request = "{\"granularity\": \"week\", \"range\": -6}";
        using var json = await PostOkAsync(request);
        using var client = Client(adminKey);
        client.DefaultRequestHeaders.Accept.ParseAdd("text/csv");
        using var response = await client.PostAsync(Path, new StringContent(request, Encoding.UTF8, "application/json"));
        var csv = await response.Content.ReadAsStringAsync();

        var records = ParseCsv(csv);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
            Assert.That(response.Headers.GetValues("X-Truncated").Single(), Is.EqualTo("false"));
            Assert.That(records[0], Is.EqualTo(new[]
            {
                "user", "email", "fname", "lname", "institution", "instanceName", "aiName", "periodStart", "queryCount", "creditsUsed",
                "lifetimeUsed", "capLimit", "capUsedPct", "atCap",
            }));
            Assert.That(records.Skip(1).Select(FromCsv), Is.EqualTo(Rows(json).Select(Spreadsheet)));
            Assert.That(csv, Does.Contain("\"o'neil, \"\"q\"\"@x.org\",'=cmd|' /C calc'!A0,\"Line\nBreak\",\"i,4\""));
        });
    }

    [TestCase("text/csv;q=0.5, application/json", false)]
    [TestCase("application/json;q=0.5, text/csv", true)]
    [TestCase("*/*", false)]
    [TestCase("text/csv, application/json", true)]
    public async Task AcceptHeader_ChoosesTheFormat(string accept, bool csv)
    {
        using var client = Client(adminKey);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Accept", accept);
        using var response = await client.PostAsync(Path, new StringContent("{\"range\": -1}", Encoding.UTF8, "application/json"));

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(csv ? "text/csv" : "application/json"));
    }

    // A text cell that a spreadsheet would run as a formula is sent with a leading quote.
    private static ExtractRow Spreadsheet(ExtractRow row) => row with { Fname = row.Fname.StartsWith('=') ? "'" + row.Fname : row.Fname };

    private static ExtractRow FromCsv(string[] f) => new(
        f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], long.Parse(f[8], System.Globalization.CultureInfo.InvariantCulture),
        decimal.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(f[10], System.Globalization.CultureInfo.InvariantCulture),
        f[11].Length == 0 ? null : decimal.Parse(f[11], System.Globalization.CultureInfo.InvariantCulture),
        f[12].Length == 0 ? null : decimal.Parse(f[12], System.Globalization.CultureInfo.InvariantCulture), bool.Parse(f[13]));

    /// <summary>An RFC 4180 reader, written here so that the test does not trust the service's writer.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.That(field.Length + fields.Count, Is.Zero, "the last record ends with CRLF");
        return records;
    }
}
