using System.Globalization;

namespace Analytics.LoadTest.Http;

/// <summary>What /proc tells about the service process: its memory and how busy it is.</summary>
internal sealed class ServiceProcess(int pid)
{
    public int Pid { get; } = pid;

    /// <summary>Resident set size now (VmRSS), in bytes; null when the process is gone.</summary>
    public long? Rss => Status("VmRSS:");

    /// <summary>Peak resident set size since start (VmHWM), in bytes.</summary>
    public long? PeakRss => Status("VmHWM:");

    /// <summary>CPU time (user + system) the process has used so far.</summary>
    public TimeSpan? CpuTime => CpuTicks() is { } ticks ? TimeSpan.FromSeconds(ticks / 100.0) : null;

    /// <summary>
    /// Waits until the service has been idle (under 5% of a core) for three seconds in a row, at most
    /// <paramref name="limit"/>: after a flood its engine still merges parts, which would tax the first queries.
    /// </summary>
    public async Task<TimeSpan> WaitIdleAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var quiet = 0;
        var last = CpuTicks();
        while (quiet < 3 && DateTime.UtcNow - started < limit && last is not null)
        {
            await Task.Delay(1000, cancellationToken);
            var now = CpuTicks();
            quiet = now - last < 5 ? quiet + 1 : 0;
            last = now;
        }

        return DateTime.UtcNow - started;
    }

    /// <summary>User plus system CPU time in clock ticks (100 per second), from /proc/PID/stat.</summary>
    private long? CpuTicks()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            // The command name may hold spaces; the fields that follow start after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private long? Status(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kilobytes = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
