using System.Runtime.InteropServices;
using Analytics.ClickHouse.Loopback;

namespace Analytics.LoadTest.Server;

/// <summary>
/// A ClickHouse server for the service's server-path run: ClickHouse's HTTP interface on a loopback port,
/// answered by an embedded engine in this process (no ClickHouse server runs on these machines). It writes
/// its address to <c>loopback.url</c> in the run's folder and serves until SIGTERM or Ctrl-C.
/// </summary>
internal static class LoopbackPhase
{
    public static async Task RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });

        var data = options.Path(Path.Combine("loopback", "clickhouse"));
        Directory.CreateDirectory(data);
        await using var server = await LoopbackServer.StartAsync(data, new LoopbackOptions { RecordRequests = false });
        var urlFile = options.Path("loopback.url");
        await File.WriteAllTextAsync(urlFile + ".tmp", server.Url.ToString(), CancellationToken.None);
        File.Move(urlFile + ".tmp", urlFile, overwrite: true);
        Console.WriteLine($"ClickHouse HTTP interface at {server.Url} over the embedded engine in {data}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Stopping the loopback server.");
        }
    }
}
