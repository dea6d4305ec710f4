using System.Diagnostics;
using System.Globalization;

namespace Analytics.LoadTest.Postgres;

/// <summary>
/// One long psql session with <c>\timing on</c>. A query's time is psql's own: from sending it until
/// the whole result has arrived (planning, execution and transfer over the Unix socket; psql takes the
/// time before it prints), the same span the other systems are timed over. Results go to /dev/null,
/// or (unaligned, with a header) to a file when the caller wants to checksum the answer.
/// </summary>
internal sealed class PsqlSession : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task<string> errors;

    public PsqlSession(Psql psql)
    {
        process = Process.Start(psql.StartInfo()) ?? throw new InvalidOperationException("psql did not start");
        errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write("\\timing on\n\\pset format unaligned\n\\pset footer off\n\\pset null ''\n");
        process.StandardInput.Flush();
    }

    /// <summary>
    /// Sets the variables, runs <paramref name="sql"/> (one statement ending in ';') with its rows written to
    /// <paramref name="answerFile"/> (or discarded) and returns psql's timing.
    /// </summary>
    public async Task<double> TimeAsync(string variables, string sql, string? answerFile, CancellationToken cancellationToken)
    {
        await process.StandardInput.WriteAsync($"\\o {answerFile ?? "/dev/null"}\n" + variables + sql.TrimEnd() + "\n");
        await process.StandardInput.FlushAsync(cancellationToken);
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"psql stopped: {await errors}");
            if (line.StartsWith("Time: ", StringComparison.Ordinal))
            {
                var number = line[6..line.IndexOf(" ms", StringComparison.Ordinal)];
                return double.Parse(number, CultureInfo.InvariantCulture);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await process.StandardInput.WriteAsync("\\q\n");
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            process.Kill();
        }

        process.Dispose();
    }
}
