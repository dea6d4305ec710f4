using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Analytics.Api.Ingestion;

/// <summary>
/// Reads a gzip request body whole and checks that it ended where gzip says it ends. GZipStream validates the
/// trailer (CRC-32 and length) of every member it reaches the end of, but a stream cut short simply ends: the
/// body would be read as a shorter one and its first lines stored. So the last 8 bytes sent must be the trailer
/// of the output's last member: its CRC-32 and length (ISIZE), which arbitrary deflate data matches by chance
/// about once in 2^32.
/// </summary>
internal static class GzipBody
{
    private const int TrailerLength = 8;

    /// <summary>
    /// The body decompressed, or null once it holds more than <paramref name="limit"/> bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The body is not gzip, is corrupt, is cut short or has bytes after its end.</exception>
    public static async Task<RequestBody?> ReadAsync(Stream source, long expected, long limit, CancellationToken cancellationToken)
    {
        var tail = new TailStream(source);
        RequestBody? body;
        await using (var unzipped = new GZipStream(tail, CompressionMode.Decompress, leaveOpen: true))
        {
            body = await RequestBody.ReadAsync(unzipped, expected, limit, cancellationToken);
        }

        if (body is null || tail.Count == 0)
        {
            return body; // too large, or no body at all
        }

        try
        {
            await tail.DrainAsync(cancellationToken);
            Check(tail, body.Memory.Span);
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private static void Check(TailStream tail, ReadOnlySpan<byte> output)
    {
        if (tail.Count < 18)
        {
            throw new InvalidDataException("the stream is shorter than a gzip header and trailer");
        }

        var trailer = tail.Last;
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (size > (uint)output.Length || Crc32.HashToUInt32(output[^(int)size..]) != crc)
        {
            throw new InvalidDataException("the stream is cut short, or has bytes after its end");
        }
    }

    /// <summary>A read-only pass-through that keeps the count of bytes read and the last 8 of them.</summary>
    private sealed class TailStream(Stream inner) : Stream
    {
        private readonly byte[] last = new byte[TrailerLength];
        private readonly byte[] drain = new byte[4096];

        /// <summary>How many bytes were read.</summary>
        public long Count { get; private set; }

        /// <summary>The last (up to) 8 bytes read, in order.</summary>
        public ReadOnlySpan<byte> Last
        {
            get
            {
                var count = (int)Math.Min(Count, TrailerLength);
                var ordered = new byte[count];
                for (var i = 0; i < count; i++)
                {
                    ordered[i] = last[(Count - count + i) % TrailerLength];
                }

                return ordered;
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>Reads what the decompressor left unread (bytes after the end it found), so that they count too.</summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            while (await ReadAsync(drain, cancellationToken) > 0)
            {
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Keep(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Keep(buffer.AsSpan(offset, read));
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void Keep(ReadOnlySpan<byte> read)
        {
            // Only the last 8 bytes are kept, each at its position modulo 8.
            var skipped = Math.Max(0, read.Length - TrailerLength);
            Count += skipped;
            foreach (var b in read[skipped..])
            {
                last[Count % TrailerLength] = b;
                Count++;
            }
        }
    }
}
