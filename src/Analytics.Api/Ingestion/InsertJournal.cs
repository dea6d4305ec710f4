using System.Buffers.Binary;
using System.Text;

namespace Analytics.Api.Ingestion;

/// <summary>
/// The block of events being inserted and its de-duplication token, on disk from just before the insert
/// until the engine has taken it. A process killed during the insert (the embedded engine dies with it, part
/// way through its tables) leaves the file behind, and the next start sends the block again under the same
/// token before anything else, which completes the tables that lacked it and leaves the others alone.
/// One file, rewritten for every batch: the writer inserts one batch at a time. It is not synced to the
/// disk, as the engine's own parts are not: it guards against the process dying, not the machine.
/// </summary>
public sealed class InsertJournal
{
    private static readonly byte[] Magic = "AIJ1"u8.ToArray();
    private readonly string path;

    public InsertJournal(string folder)
    {
        Directory.CreateDirectory(folder);
        path = Path.Combine(Path.GetFullPath(folder), "in-flight.block");
    }

    /// <summary>Records <paramref name="block"/> as being inserted under <paramref name="token"/>.</summary>
    public async Task WriteAsync(string token, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        var header = new byte[Magic.Length + 4 + Encoding.UTF8.GetByteCount(token) + 8];
        Magic.CopyTo(header, 0);
        var tokenLength = Encoding.UTF8.GetBytes(token, header.AsSpan(Magic.Length + 4));
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length), tokenLength);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(header.Length - 8), block.Length);
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, header.Length + block.Length);
        await RandomAccess.WriteAsync(file, header, 0, cancellationToken);
        await RandomAccess.WriteAsync(file, block, header.Length, cancellationToken);
    }

    /// <summary>
    /// The block a killed process left in flight and its token, or null when there is none. A file cut short
    /// was being written when the process died, before its insert began, and is dropped.
    /// </summary>
    public (string Token, ReadOnlyMemory<byte> Block)? Read()
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var span = bytes.AsSpan();
        if (span.Length < Magic.Length + 4 || !span[..Magic.Length].SequenceEqual(Magic))
        {
            return null;
        }

        // The token's length is checked against the file before it is added to anything, so that a damaged
        // header is no block rather than an overflow.
        var tokenLength = BinaryPrimitives.ReadInt32LittleEndian(span[Magic.Length..]);
        if (tokenLength <= 0 || tokenLength > span.Length - (Magic.Length + 4 + 8))
        {
            return null;
        }

        var blockStart = Magic.Length + 4 + tokenLength + 8;
        if (BinaryPrimitives.ReadInt64LittleEndian(span[(blockStart - 8)..]) != span.Length - blockStart)
        {
            return null;
        }

        return (Encoding.UTF8.GetString(span.Slice(Magic.Length + 4, tokenLength)), bytes.AsMemory(blockStart));
    }

    /// <summary>The block is in every table (or was never begun): nothing is in flight.</summary>
    public void Clear() => File.Delete(path);

    /// <summary>
    /// Moves a block the engine refused out of the way, beside the journal under a name of its own, so that it
    /// can be looked at and no start tries it again. Returns the new path.
    /// </summary>
    public string SetAside(DateTime utcNow)
    {
        var aside = $"{path}.refused-{utcNow:yyyyMMddHHmmssfff}";
        File.Move(path, aside);
        return aside;
    }
}
