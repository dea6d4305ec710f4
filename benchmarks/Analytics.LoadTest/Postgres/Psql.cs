using System.Diagnostics;
using System.Text;

namespace Analytics.LoadTest.Postgres;

/// <summary>Runs psql against the throwaway cluster (Unix socket, user postgres, trust auth).</summary>
internal sealed class Psql(LoadTestOptions options)
{
    public ProcessStartInfo StartInfo(params string[] extra)
    {
        var start = new ProcessStartInfo(options.Psql)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in (string[])["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", options.PgHost, "-p", options.PgPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", .. extra])
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Feeds <paramref name="script"/> to a fresh psql and returns its output and the wall time; fails when psql does.</summary>
    public async Task<(string Output, double Seconds)> RunAsync(string script, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo()) ?? throw new InvalidOperationException("psql did not start");
        var clock = Stopwatch.StartNew();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed ({process.ExitCode}): {await error}");
        }

        return (await output, seconds);
    }

    /// <summary>A psql variable assignment; psql quotes the value itself where the SQL says <c>:'name'</c>.</summary>
    public static string Set(string name, string value) => $"\\set {name} '{value.Replace("'", "''", StringComparison.Ordinal)}'\n";
}
