using System.Buffers;

namespace Analytics.Api.Ingestion;

/// <summary>
/// The pools ingestion's large buffers come from. Under a flood dozens of requests are read, parsed and
/// buffered at once, far more than the shared pool keeps per size (a few per core): it would hand out
/// fresh arrays, mostly on the large-object heap, whose garbage is collected only by full collections.
/// In a 10M-event flood that garbage grew the heap by some 500 MB between two of them. These pools keep
/// as many buffers as a flood holds at once, and never more than their caps.
/// </summary>
internal static class IngestionBuffers
{
    /// <summary>Request bodies (a megabyte or two each under load) and the insert's blocks: at most 64 a size, up to 64 MiB.</summary>
    public static ArrayPool<byte> Bodies { get; } = ArrayPool<byte>.Create(maxArrayLength: 64 << 20, maxArraysPerBucket: 64);

    /// <summary>The events' columns, 28 a request, each a few kilobytes to a megabyte: at most 4,096 a size, up to 1 MiB.</summary>
    public static ArrayPool<byte> Columns { get; } = ArrayPool<byte>.Create(maxArrayLength: 1 << 20, maxArraysPerBucket: 4096);
}
