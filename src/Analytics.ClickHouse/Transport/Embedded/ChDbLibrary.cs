using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>
/// Finds the chDB engine library, fetching the pinned build through npm on first use and caching it
/// outside the source tree. Once cached, nothing touches the network.
/// </summary>
public static class ChDbLibrary
{
    /// <summary>The npm package that carries <c>libchdb.so</c>.</summary>
    public const string Package = "@chdb/lib-linux-x64-gnu";

    /// <summary>The pinned engine build.</summary>
    public const string Version = "26.7.3-stable.1";

    /// <summary>SHA-256 of the package tarball as the npm registry serves it.</summary>
    public const string TarballSha256 = "c0d32b129e988f2b9a9a31c9141aecf5e1e2453f9a079efc4d36ab8e3f92b2ad";

    /// <summary>Environment variable naming an existing <c>libchdb.so</c> to use instead of the cache.</summary>
    public const string PathVariable = "CHDB_LIBRARY_PATH";

    private const string FileName = "libchdb.so";
    private static readonly Lock Gate = new();
    private static string? resolvedPath;

    /// <summary>The folder the fetched library is cached in.</summary>
    public static string CacheDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }

            return Path.Combine(root, "analytics", "chdb", Version);
        }
    }

    /// <summary>
    /// Returns the path of a usable <c>libchdb.so</c>, fetching it when it is not cached yet.
    /// </summary>
    /// <param name="explicitPath">A path configured by the caller; wins over the environment and the cache.</param>
    /// <param name="progress">Receives human-readable progress while a fetch runs.</param>
    public static string Ensure(string? explicitPath = null, Action<string>? progress = null)
    {
        lock (Gate)
        {
            if (resolvedPath is not null)
            {
                return resolvedPath;
            }

            var configured = !string.IsNullOrEmpty(explicitPath) ? explicitPath : Environment.GetEnvironmentVariable(PathVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                if (!File.Exists(configured))
                {
                    throw new FileNotFoundException(
                        $"The chDB library configured at '{configured}' does not exist. Fix the path or unset it to use the cached build.",
                        configured);
                }

                return resolvedPath = configured;
            }

            var cached = Path.Combine(CacheDirectory, FileName);
            if (!File.Exists(cached))
            {
                Fetch(cached, progress ?? (_ => { }));
            }

            return resolvedPath = cached;
        }
    }

    /// <summary>Points the provider's native imports at <paramref name="path"/>.</summary>
    internal static void RegisterResolver(string path)
    {
        NativeLibrary.SetDllImportResolver(typeof(ChDbLibrary).Assembly, (name, _, _) =>
            name == ChDbNative.Library ? NativeLibrary.Load(path) : 0);
    }

    private static void Fetch(string target, Action<string> progress)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        // Several processes (parallel test runs) may fetch at once: one holds the lock file, the rest wait.
        using var fileLock = AcquireLock(target + ".lock");
        if (File.Exists(target))
        {
            return;
        }

        var work = Directory.CreateTempSubdirectory("chdb-fetch-");
        try
        {
            progress($"chDB engine not cached; fetching {Package}@{Version} (about 180 MB) with npm into {work.FullName}");
            var stopwatch = Stopwatch.StartNew();
            RunNpmPack(work.FullName);
            var tarball = Directory.GetFiles(work.FullName, "*.tgz").Single();

            progress("verifying checksum");
            var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tarball)));
            if (!string.Equals(actual, TarballSha256, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"The downloaded {Package}@{Version} tarball has SHA-256 {actual}, expected {TarballSha256}. Refusing to load it.");
            }

            progress($"extracting {FileName} into {Path.GetDirectoryName(target)}");
            var partial = target + ".partial";
            ExtractLibrary(tarball, partial);
            File.Move(partial, target, overwrite: true);
            progress($"chDB engine ready after {stopwatch.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void RunNpmPack(string folder)
    {
        var start = new ProcessStartInfo("npm", ["pack", "--silent", $"{Package}@{Version}"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"The chDB engine is not cached at {CacheDirectory} and npm, which fetches it, is not installed. " +
                $"Install Node.js and npm (Debian: apt-get install -y npm), or run `npm pack {Package}@{Version}`, " +
                $"extract package/{FileName} and set {PathVariable} to it.",
                ex);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"`npm pack {Package}@{Version}` failed with exit code {process.ExitCode}: {stderr.Result.Trim()}. " +
                    $"Check that the npm registry is reachable, or set {PathVariable} to an existing {FileName}.");
            }
        }
    }

    private static void ExtractLibrary(string tarball, string destination)
    {
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == "package/" + FileName && entry.DataStream is not null)
            {
                using var output = File.Create(destination);
                entry.DataStream.CopyTo(output);
                return;
            }
        }

        throw new InvalidOperationException($"{Package}@{Version} holds no package/{FileName}.");
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }
}
