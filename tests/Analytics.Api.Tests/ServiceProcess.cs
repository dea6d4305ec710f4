#if !SERVER_IMAGE
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
#if SERVER_PATH
using Analytics.ClickHouse.Loopback;
#endif

namespace Analytics.Api.Tests;

/// <summary>
/// The service as a process of its own (the built <c>Analytics.Api.dll</c> beside the tests), so that a test can
/// kill it as an operator's crash would: at once, with nothing flushed or drained. In the server-path suite it
/// talks to the suite's loopback server, and its data outlives it there; given a data folder, it runs the
/// embedded engine on it, which dies with the process, part way through whatever it was doing. Either way its
/// spool folder outlives it too, for the next start to pick up.
/// </summary>
public sealed class ServiceProcess(string database, string? dataPath = null) : IAsyncDisposable
{
    private readonly string spoolPath = Path.Combine(dataPath ?? AnalyticsFactory.DataPath, "spool-" + database);
    private readonly StringBuilder output = new();
    private readonly StringBuilder outputOfThisStart = new();
    private Process? process;
#if SERVER_PATH
    private Arm? arm;
#endif

    /// <summary>A client of the running process.</summary>
    public HttpClient Client { get; private set; } = new();

#if SERVER_PATH
    /// <summary>Whether the last armed kill happened, and after which statement.</summary>
    public string? KilledAfter => arm?.Statement;
#endif

    /// <summary>Starts the process and waits until <c>/readyz</c> says it is ready (the writer included).</summary>
    public async Task StartAsync()
    {
        Directory.CreateDirectory(spoolPath);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Analytics.Api.dll") },
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Analytics__Database"] = database,
                ["Analytics__AdminToken"] = AnalyticsFactory.AdminToken,
                ["Analytics__Ingestion__SpoolPath"] = spoolPath,
                ["Analytics__Ingestion__FlushInterval"] = "00:00:00.010",

                // A short-lived process: tiered compilation starts it sooner than the service's own setting does.
                ["DOTNET_TieredCompilation"] = "1",
            },
        };
        if (dataPath is not null)
        {
            start.Environment["Analytics__DataPath"] = Path.Combine(dataPath, "clickhouse");
        }
        else
        {
#if SERVER_PATH
            start.Environment["Analytics__Engine"] = "Http";
            start.Environment["Analytics__ServerUrl"] = ServerPath.Url.ToString();
#else
            throw new InvalidOperationException("Outside the server-path suite the service runs the embedded engine, on a data folder of its own.");
#endif
        }

        lock (output)
        {
            outputOfThisStart.Clear();
        }

        process?.Dispose(); // the one a restart replaces
        process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Client.Dispose();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                if ((await Client.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The service was not ready within a minute:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process at once (SIGKILL), whatever it is doing.</summary>
    public void Kill() => process!.Kill(entireProcessTree: true);

#if SERVER_PATH
    /// <summary>
    /// Kills the process once the loopback server has run its <paramref name="k"/>-th statement from now (on its
    /// database), before the answer leaves: the statement is committed and the service never learns of it.
    /// </summary>
    public void KillAfterStatement(int k)
    {
        Disarm();
        var armed = new Arm();
        arm = armed;
        var victim = process!;
        ServerPath.Loopback.Inject(
            new LoopbackFault.ResetAfterRunning(() => victim.Kill(entireProcessTree: true)),
            times: 1,
            when: request =>
            {
                if (!armed.Active || !IsOurs(request) || Interlocked.Increment(ref armed.Count) != k)
                {
                    return false;
                }

                armed.Statement = request.Sql;
                return true;
            });
    }

    /// <summary>Takes back a kill that did not happen, so that it cannot happen later.</summary>
    public void Disarm()
    {
        if (arm is not null)
        {
            arm.Active = false;
        }
    }

#endif

    /// <summary>Waits for a killed process to be gone and starts it again.</summary>
    public async Task RestartAsync()
    {
        await process!.WaitForExitAsync();
        await StartAsync();
    }

    /// <summary>Creates a key through the admin API and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string workspace, string[] scopes)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/keys") { Content = JsonContent.Create(new { workspace_id = workspace, scopes }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AnalyticsFactory.AdminToken);
        var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("key").GetString()!;
    }

    /// <summary>The process's output so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The process's output since it was last started.</summary>
    public string OutputOfThisStart
    {
        get
        {
            lock (output)
            {
                return outputOfThisStart.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
#if SERVER_PATH
        Disarm();
#endif
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        Client.Dispose();
        if (Directory.Exists(spoolPath))
        {
            Directory.Delete(spoolPath, recursive: true);
        }
    }

#if SERVER_PATH
    private bool IsOurs(LoopbackRequest request) =>
        (request.Url.GetValueOrDefault("database") ?? request.Headers.GetValueOrDefault("X-ClickHouse-Database")) == database
        && request.Sql.Length > 0;
#endif

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            // The last part is what explains a failure; a long run's start is not.
            if (output.Length > 200_000)
            {
                output.Remove(0, 100_000);
            }

            output.AppendLine(line);
            if (outputOfThisStart.Length < 200_000)
            {
                outputOfThisStart.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

#if SERVER_PATH
    private sealed class Arm
    {
        public volatile bool Active = true;
        public int Count;
        public volatile string? Statement;
    }
#endif
}
#endif
