using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Analytics.ClickHouse.Transport.Http;

/// <summary>
/// A request body written from a sequence of chunks as they are produced, so an insert never holds
/// its whole payload in memory. Optionally gzip-compressed on the way out.
/// </summary>
internal sealed class ChunkedContent : HttpContent
{
    private readonly IEnumerable<ReadOnlyMemory<byte>> _chunks;
    private readonly bool _gzip;

    public ChunkedContent(IEnumerable<ReadOnlyMemory<byte>> chunks, bool gzip)
    {
        _chunks = chunks;
        _gzip = gzip;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (gzip)
        {
            Headers.ContentEncoding.Add("gzip");
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (!_gzip)
        {
            await WriteChunksAsync(stream, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Fastest: the server is usually near, and compression must keep up with the producer.
        // Disposing writes the gzip trailer, without which the server rejects the body.
        var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            await WriteChunksAsync(gzip, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteChunksAsync(Stream target, CancellationToken cancellationToken)
    {
        foreach (var chunk in _chunks)
        {
            await target.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    // Unknown up front: the body goes out with chunked transfer encoding.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
