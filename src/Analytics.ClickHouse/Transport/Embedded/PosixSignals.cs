using System.Runtime.InteropServices;

namespace Analytics.ClickHouse.Transport.Embedded;

/// <summary>
/// Saves and restores every POSIX signal disposition around the engine's boot. ClickHouse installs
/// handlers (SIGSEGV among them) that would turn the runtime's NullReferenceException into a crash.
/// </summary>
internal static unsafe partial class PosixSignals
{
    // glibc's struct sigaction is 152 bytes on x86_64 and aarch64; the buffer is opaque to us.
    private const int SigactionSize = 256;
    private const int MaxSignal = 64;

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int Sigaction(int signal, byte* action, byte* oldAction);

    /// <summary>Captures the current disposition of signals 1-64 (except SIGKILL and SIGSTOP).</summary>
    public static byte[] Save()
    {
        var saved = new byte[(MaxSignal + 1) * SigactionSize];
        fixed (byte* buffer = saved)
        {
            for (var signal = 1; signal <= MaxSignal; signal++)
            {
                if (IsUnblockable(signal))
                {
                    continue;
                }

                // Signals glibc reserves for itself answer EINVAL; they are left alone.
                _ = Sigaction(signal, null, buffer + (signal * SigactionSize));
            }
        }

        return saved;
    }

    /// <summary>Puts back what <see cref="Save"/> captured.</summary>
    public static void Restore(byte[] saved)
    {
        fixed (byte* buffer = saved)
        {
            for (var signal = 1; signal <= MaxSignal; signal++)
            {
                if (IsUnblockable(signal))
                {
                    continue;
                }

                _ = Sigaction(signal, buffer + (signal * SigactionSize), null);
            }
        }
    }

    private static bool IsUnblockable(int signal) => signal is 9 or 19;
}
