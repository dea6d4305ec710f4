using System.IO.Compression;

namespace Analytics.LoadTest.Generation;

/// <summary>Reads the generated NDJSON back in batches of whole lines (through gzip for a <c>.gz</c> file).</summary>
internal static class NdjsonFile
{
    /// <summary>Batches of <paramref name="lines"/> lines (the last one may be shorter), each in an array of its own.</summary>
    public static IEnumerable<NdjsonBatch> Read(string path, int lines)
    {
        using var stored = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // GZipStream reads the members one after another, as the generator writes them (one per day).
        using var file = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stored, CompressionMode.Decompress) : (Stream)stored;
        var window = new byte[8 << 20];
        var filled = 0;     // bytes in window
        var start = 0;      // where the current batch starts
        var scanned = 0;    // bytes of the current batch already searched for line ends
        var count = 0;      // whole lines in the current batch
        while (true)
        {
            var read = file.Read(window, filled, window.Length - filled);
            filled += read;
            while (true)
            {
                var newline = window.AsSpan(scanned, filled - scanned).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    scanned = filled;
                    break;
                }

                scanned += newline + 1;
                if (++count == lines)
                {
                    yield return new NdjsonBatch(window[start..scanned], scanned - start, count);
                    start = scanned;
                    count = 0;
                }
            }

            if (read == 0)
            {
                if (filled > start)
                {
                    // A last line without its line end still counts.
                    var tail = window.AsSpan(start, filled - start).EndsWith("\n"u8) ? count : count + 1;
                    yield return new NdjsonBatch(window[start..filled], filled - start, tail);
                }

                yield break;
            }

            // Keep the unfinished batch: move it to the front, growing the window when it fills half of it.
            var pending = filled - start;
            var target = pending > window.Length / 2 ? new byte[window.Length * 2] : window;
            Buffer.BlockCopy(window, start, target, 0, pending);
            window = target;
            scanned -= start;
            filled = pending;
            start = 0;
        }
    }
}
