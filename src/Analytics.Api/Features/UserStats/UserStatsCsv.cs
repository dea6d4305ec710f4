using System.Globalization;
using System.Text;

namespace Analytics.Api.Features.UserStats;

/// <summary>
/// The rows as RFC 4180 CSV: a header line, CRLF line ends, fields quoted when they hold a comma,
/// quote, CR or LF (quotes doubled). Text that a spreadsheet would run as a formula (starting with
/// = + - @ tab or CR) is prefixed with a single quote.
/// </summary>
internal static class UserStatsCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly string[] Header =
        ["user", "email", "fname", "lname", "institution", "instanceName", "aiName", "periodStart", "queryCount", "creditsUsed", "lifetimeUsed", "capLimit", "capUsedPct", "atCap"];

    /// <summary>True when the caller's Accept header prefers <c>text/csv</c> over JSON.</summary>
    public static bool IsPreferred(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().Accept;
        var best = accepted
            .Where(a => a.MediaType.Value is "text/csv" or "application/json" or "*/*" or "text/*" or "application/*")
            .OrderByDescending(a => a.Quality ?? 1)
            .FirstOrDefault(a => (a.Quality ?? 1) > 0);
        return best?.MediaType.Value == "text/csv";
    }

    public static string Write(IEnumerable<UserStatsEntry> entries)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', Header).Append("\r\n");
        foreach (var e in entries)
        {
            string[] fields =
            [
                Text(e.User), Text(e.Email), Text(e.Fname), Text(e.Lname), Text(e.Institution), Text(e.InstanceName), Text(e.AiName),
                e.PeriodStart.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                e.QueryCount.ToString(CultureInfo.InvariantCulture), Number(e.CreditsUsed), Number(e.LifetimeUsed),
                e.CapLimit is { } cap ? Number(cap) : string.Empty, e.CapUsedPct is { } pct ? Number(pct) : string.Empty,
                e.AtCap ? "true" : "false",
            ];
            csv.AppendJoin(',', fields).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Text(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
