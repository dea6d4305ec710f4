namespace Analytics.Api.Ingestion;

/// <summary>
/// A request body read whole into a pooled buffer, which goes back to the pool on dispose. Bodies are
/// a megabyte or more under load; renting instead of allocating keeps them off the large-object heap
/// (<see cref="IngestionBuffers.Bodies"/>).
/// The parser copies what it keeps, so the body is disposed as soon as it is parsed.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private const int SmallestBuffer = 4096;

    private byte[] buffer;
    private int length;

    private RequestBody(int capacity) => buffer = IngestionBuffers.Bodies.Rent(capacity);

    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);

    /// <summary>
    /// Reads <paramref name="source"/> to its end, or returns null once it holds more than
    /// <paramref name="limit"/> bytes. <paramref name="expected"/> sizes the first buffer.
    /// </summary>
    public static async Task<RequestBody?> ReadAsync(Stream source, long expected, long limit, CancellationToken cancellationToken)
    {
        // One byte past the limit is room enough to tell that a body is too large.
        var ceiling = (int)Math.Min(limit + 1, Array.MaxLength);
        var body = new RequestBody((int)Math.Clamp(expected + 1, Math.Min(SmallestBuffer, ceiling), ceiling));
        try
        {
            while (true)
            {
                if (body.length == body.buffer.Length)
                {
                    if (body.length >= ceiling)
                    {
                        body.Dispose();
                        return null;
                    }

                    body.Grow((int)Math.Min((long)body.length * 2, ceiling));
                }

                var read = await source.ReadAsync(body.buffer.AsMemory(body.length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                body.length += read;
            }

            if (body.length > limit)
            {
                body.Dispose();
                return null;
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var rented = buffer;
        buffer = [];
        length = 0;
        if (rented.Length > 0)
        {
            IngestionBuffers.Bodies.Return(rented);
        }
    }

    private void Grow(int capacity)
    {
        var larger = IngestionBuffers.Bodies.Rent(capacity);
        buffer.AsSpan(0, length).CopyTo(larger);
        IngestionBuffers.Bodies.Return(buffer);
        buffer = larger;
    }
}
