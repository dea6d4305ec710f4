using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.ClickHouse.Formats;

namespace Analytics.Api.Ingestion;

/// <summary>The columns of <c>events</c> an event gives values for; <c>workspace_id</c> and <c>ingested_at</c> come from the batch.</summary>
internal enum EventColumn
{
    EventId,
    Timestamp,
    UserId,
    PromptId,
    ProductId,
    ProductName,
    UserEmail,
    UserFname,
    UserLname,
    UserRole,
    AccountId,
    InstitutionId,
    InstanceName,
    AiName,
    Origin,
    HistoryId,
    Model,
    InputTokens,
    OutputTokens,
    Cost,
    Credits,
    Status,
    LatencyMs,
    Provider,
    Operation,
    CacheReadTokens,
    CacheCreationTokens,
    ReasoningTokens,
}

/// <summary>
/// The validated events of one request, column by column, each column already laid out as a column of a
/// Native block: a text is its length (a varint) and its UTF-8 bytes, a number its little-endian bytes. The
/// parser writes a line's values from the body straight into the columns, so an event is never an object
/// and a value never a string; the insert copies whole columns (<see cref="WriteBlock"/>).
/// </summary>
/// <remarks>
/// A line is written tentatively. <see cref="BeginLine"/> marks where every column ends. A field given twice
/// keeps its last value. <see cref="CommitLine"/> gives every field the line left out its default, and
/// <see cref="AbandonLine"/> cuts every column back to its mark, so a refused line leaves nothing behind.
/// The columns' buffers are rented from the shared pool and go back on <see cref="Dispose"/>; one thread
/// writes a batch at a time.
/// </remarks>
public sealed class EventBatch : IDisposable
{
    /// <summary>A column: its name in <c>events</c>, the type its Native column declares, the bytes of a value (0 for text) and the value of a line that leaves it out.</summary>
    private sealed record Spec(string Name, string NativeType, int Width, byte[] Default);

    private const string Text = "String";

    private static Spec TextColumn(string name, string fallback = "")
    {
        var utf8 = Encoding.UTF8.GetBytes(fallback);
        return new Spec(name, Text, 0, [(byte)utf8.Length, .. utf8]);
    }

    private static Spec Fixed(string name, string type, int width) => new(name, type, width, new byte[width]);

    /// <summary>In <see cref="EventColumn"/> order. Low-cardinality columns travel as String, which the engine converts as it takes the block.</summary>
    private static readonly Spec[] Specs =
    [
        TextColumn("event_id"),
        Fixed("timestamp", "DateTime64(3, 'UTC')", 8),
        TextColumn("user_id"),
        TextColumn("prompt_id"),
        Fixed("product_id", "UUID", 16),
        TextColumn("product_name"),
        TextColumn("user_email"),
        TextColumn("user_fname"),
        TextColumn("user_lname"),
        TextColumn("user_role", "user"),
        TextColumn("account_id"),
        TextColumn("institution_id"),
        TextColumn("instance_name"),
        TextColumn("ai_name"),
        TextColumn("origin", "APP"),
        TextColumn("history_id"),
        TextColumn("model"),
        Fixed("input_tokens", "UInt32", 4),
        Fixed("output_tokens", "UInt32", 4),
        Fixed("cost", "Decimal(18, 9)", 8),
        Fixed("credits", "Decimal(18, 6)", 8),
        TextColumn("status", "ok"),
        Fixed("latency_ms", "UInt32", 4),
        TextColumn("provider"),
        TextColumn("operation"),
        Fixed("cache_read_tokens", "UInt32", 4),
        Fixed("cache_creation_tokens", "UInt32", 4),
        Fixed("reasoning_tokens", "UInt32", 4),
    ];

    private const int ColumnCount = 28;
    private const string WorkspaceColumn = "workspace_id";
    private const string IngestedAtColumn = "ingested_at";
    private const string IngestedAtType = "DateTime64(3, 'UTC')";

    /// <summary>Every column an insert of batches names, in the order <see cref="WriteBlock"/> writes them.</summary>
    public static IReadOnlyList<string> Columns { get; } = [WorkspaceColumn, .. Specs.Select(s => s.Name), IngestedAtColumn];

    /// <summary>The type each of <see cref="Columns"/> declares in the block.</summary>
    internal static IReadOnlyList<string> NativeTypes { get; } = [Text, .. Specs.Select(s => s.NativeType), IngestedAtType];

    /// <summary>The scale of <c>cost</c> and <c>credits</c>.</summary>
    internal const int CostScale = 9;

    /// <inheritdoc cref="CostScale"/>
    internal const int CreditsScale = 6;

    private readonly NativeWriter[] columns = new NativeWriter[ColumnCount];
    private readonly int[] marks = new int[ColumnCount];
    private readonly byte[] workspace;
    private readonly List<UInt128> keys;
    private uint lineFields;

    /// <summary>An empty batch of <paramref name="workspaceId"/>'s events; <paramref name="expectedBytes"/>, the body's size, sizes the first buffers.</summary>
    public EventBatch(string workspaceId, int expectedBytes = 0)
    {
        WorkspaceId = workspaceId;
        workspace = Encoding.UTF8.GetBytes(workspaceId);
        // A gateway's event takes about 500 bytes of JSON. Number columns start at their size; texts, which
        // range from empty to ids of 40 bytes, at 8 bytes an event, and double as they fill.
        var events = expectedBytes / 500;
        keys = new List<UInt128>(Math.Min(events, 1 << 16));
        for (var c = 0; c < ColumnCount; c++)
        {
            var bytes = events * (Specs[c].Width == 0 ? 8 : Specs[c].Width);
            columns[c] = new NativeWriter(Math.Clamp(bytes, 256, 1 << 20), IngestionBuffers.Columns);
        }
    }

    public string WorkspaceId { get; }

    /// <summary>The events written so far; still known once the batch is disposed.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes the columns hold, about what a block of all the events takes.</summary>
    internal int Bytes => columns.Sum(column => column.Length) + (Count * (workspace.Length + 1));

    /// <summary>Each event's de-duplication key (<see cref="DedupIndex.Key(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>), in order.</summary>
    public IReadOnlyList<UInt128> Keys => keys;

    /// <summary>A batch of events read back from the spool, which keeps them as records.</summary>
    public static EventBatch From(string workspaceId, IEnumerable<EventRecord> events)
    {
        var batch = new EventBatch(workspaceId);
        foreach (var e in events)
        {
            batch.Append(e);
        }

        return batch;
    }

    internal void BeginLine()
    {
        for (var c = 0; c < ColumnCount; c++)
        {
            marks[c] = columns[c].Length;
        }

        lineFields = 0;
    }

    /// <summary>Whether the open line has given <paramref name="column"/> a value.</summary>
    internal bool Has(EventColumn column) => (lineFields & Bit(column)) != 0;

    internal void SetText(EventColumn column, ReadOnlySpan<byte> utf8)
    {
        var writer = Reopen(column, width: 0);
        writer.WriteVarUInt((ulong)utf8.Length);
        writer.WriteBytes(utf8);
    }

    internal void Set<T>(EventColumn column, T value)
        where T : unmanaged =>
        Reopen(column, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()).Write(value);

    internal void SetUuid(EventColumn column, Guid id) => Reopen(column, width: 16).WriteUuid(id);

    /// <summary>Ends the open line as an event: every field it left out takes its default.</summary>
    internal void CommitLine()
    {
        for (var c = 0; c < ColumnCount; c++)
        {
            if ((lineFields & (1u << c)) == 0)
            {
                columns[c].WriteBytes(Specs[c].Default);
            }
        }

        var at = marks[(int)EventColumn.EventId];
        keys.Add(DedupIndex.Key(workspace, NextText(columns[(int)EventColumn.EventId].WrittenSpan, ref at)));
        Count++;
    }

    /// <summary>Ends the open line as refused: every column is as it was before it.</summary>
    internal void AbandonLine()
    {
        for (var c = 0; c < ColumnCount; c++)
        {
            columns[c].Truncate(marks[c]);
        }

        lineFields = 0;
    }

    private NativeWriter Reopen(EventColumn column, int width)
    {
        System.Diagnostics.Debug.Assert(Specs[(int)column].Width == width, $"{column} is written as {width} bytes");
        var writer = columns[(int)column];
        if (Has(column))
        {
            writer.Truncate(marks[(int)column]); // given again: the last value counts
        }

        lineFields |= Bit(column);
        return writer;
    }

    private static uint Bit(EventColumn column) => 1u << (int)column;

    /// <summary>Appends an event record, already validated, as one line.</summary>
    internal void Append(EventRecord e)
    {
        BeginLine();
        SetText(EventColumn.EventId, e.EventId);
        Set(EventColumn.Timestamp, UnixMilliseconds(e.Timestamp));
        SetText(EventColumn.UserId, e.UserId);
        SetText(EventColumn.PromptId, e.PromptId);
        SetUuid(EventColumn.ProductId, e.ProductId);
        SetText(EventColumn.ProductName, e.ProductName);
        SetText(EventColumn.UserEmail, e.UserEmail);
        SetText(EventColumn.UserFname, e.UserFname);
        SetText(EventColumn.UserLname, e.UserLname);
        SetText(EventColumn.UserRole, e.UserRole);
        SetText(EventColumn.AccountId, e.AccountId);
        SetText(EventColumn.InstitutionId, e.InstitutionId);
        SetText(EventColumn.InstanceName, e.InstanceName);
        SetText(EventColumn.AiName, e.AiName);
        SetText(EventColumn.Origin, e.Origin);
        SetText(EventColumn.HistoryId, e.HistoryId);
        SetText(EventColumn.Model, e.Model);
        Set(EventColumn.InputTokens, e.InputTokens);
        Set(EventColumn.OutputTokens, e.OutputTokens);
        Set(EventColumn.Cost, Scaled(e.Cost, CostScale));
        Set(EventColumn.Credits, Scaled(e.Credits, CreditsScale));
        SetText(EventColumn.Status, e.Status);
        Set(EventColumn.LatencyMs, e.LatencyMs);
        SetText(EventColumn.Provider, e.Provider);
        SetText(EventColumn.Operation, e.Operation);
        Set(EventColumn.CacheReadTokens, e.CacheReadTokens);
        Set(EventColumn.CacheCreationTokens, e.CacheCreationTokens);
        Set(EventColumn.ReasoningTokens, e.ReasoningTokens);
        CommitLine();
    }

    private void SetText(EventColumn column, string text) => Reopen(column, width: 0).WriteString(text);

    /// <summary>Milliseconds since 1970 of a UTC time, as <c>DateTime64(3)</c> keeps it.</summary>
    internal static long UnixMilliseconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>The integer a <c>Decimal(18, scale)</c> keeps for <paramref name="value"/>, which has at most <paramref name="scale"/> decimal places.</summary>
    internal static long Scaled(decimal value, int scale) => decimal.ToInt64(value * Powers[scale]);

    private static readonly decimal[] Powers = [.. Enumerable.Range(0, 19).Select(n => (decimal)Math.Pow(10, n))];

    /// <summary>
    /// The events at <paramref name="rows"/> (ascending; null for all) as records, for the spool. Reads every
    /// column once from its start, so it costs as much as the batch, not as the rows asked for.
    /// </summary>
    internal List<EventRecord> Records(int[]? rows)
    {
        var records = new List<EventRecord>(rows?.Length ?? Count);
        var at = new int[ColumnCount]; // where each text column's next value starts
        var next = 0;
        for (var row = 0; row < Count && (rows is null || next < rows.Length); row++)
        {
            if (rows is not null && rows[next] != row)
            {
                for (var c = 0; c < ColumnCount; c++)
                {
                    if (Specs[c].Width == 0)
                    {
                        NextText(columns[c].WrittenSpan, ref at[c]);
                    }
                }

                continue;
            }

            next++;
            records.Add(new EventRecord
            {
                WorkspaceId = WorkspaceId,
                EventId = Text(EventColumn.EventId),
                Timestamp = DateTime.UnixEpoch.AddMilliseconds(Number<long>(EventColumn.Timestamp)),
                UserId = Text(EventColumn.UserId),
                PromptId = Text(EventColumn.PromptId),
                ProductId = Uuid(columns[(int)EventColumn.ProductId].WrittenSpan.Slice(row * 16, 16)),
                ProductName = Text(EventColumn.ProductName),
                UserEmail = Text(EventColumn.UserEmail),
                UserFname = Text(EventColumn.UserFname),
                UserLname = Text(EventColumn.UserLname),
                UserRole = Text(EventColumn.UserRole),
                AccountId = Text(EventColumn.AccountId),
                InstitutionId = Text(EventColumn.InstitutionId),
                InstanceName = Text(EventColumn.InstanceName),
                AiName = Text(EventColumn.AiName),
                Origin = Text(EventColumn.Origin),
                HistoryId = Text(EventColumn.HistoryId),
                Model = Text(EventColumn.Model),
                InputTokens = Number<uint>(EventColumn.InputTokens),
                OutputTokens = Number<uint>(EventColumn.OutputTokens),
                Cost = new decimal(Number<long>(EventColumn.Cost)) / Powers[CostScale],
                Credits = new decimal(Number<long>(EventColumn.Credits)) / Powers[CreditsScale],
                Status = Text(EventColumn.Status),
                LatencyMs = Number<uint>(EventColumn.LatencyMs),
                Provider = Text(EventColumn.Provider),
                Operation = Text(EventColumn.Operation),
                CacheReadTokens = Number<uint>(EventColumn.CacheReadTokens),
                CacheCreationTokens = Number<uint>(EventColumn.CacheCreationTokens),
                ReasoningTokens = Number<uint>(EventColumn.ReasoningTokens),
            });

            // Each text column has its own cursor, so the order they are read in does not matter.
            string Text(EventColumn column) => Encoding.UTF8.GetString(NextText(columns[(int)column].WrittenSpan, ref at[(int)column]));

            T Number<T>(EventColumn column)
                where T : unmanaged => MemoryMarshal.Read<T>(columns[(int)column].WrittenSpan[(row * Specs[(int)column].Width)..]);
        }

        return records;
    }

    /// <summary>The UUID whose two little-endian halves <see cref="NativeWriter.WriteUuid"/> wrote.</summary>
    private static Guid Uuid(ReadOnlySpan<byte> halves)
    {
        Span<byte> bigEndian = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian, BinaryPrimitives.ReadUInt64LittleEndian(halves));
        BinaryPrimitives.WriteUInt64BigEndian(bigEndian[8..], BinaryPrimitives.ReadUInt64LittleEndian(halves[8..]));
        return new Guid(bigEndian, bigEndian: true);
    }

    /// <summary>
    /// Writes one Native block of the events of <paramref name="parts"/>, in order, with <paramref name="ingestedAt"/>
    /// as every row's <c>ingested_at</c>. A part that keeps all its batch's rows is copied column by column whole.
    /// </summary>
    internal static void WriteBlock(NativeWriter writer, IReadOnlyList<EventRows> parts, DateTime ingestedAt)
    {
        var total = 0;
        foreach (var part in parts)
        {
            total += part.Count;
        }

        writer.WriteVarUInt((ulong)Columns.Count);
        writer.WriteVarUInt((ulong)total);

        writer.WriteString(WorkspaceColumn);
        writer.WriteString(Text);
        foreach (var part in parts)
        {
            var name = part.Batch.workspace;
            for (var r = 0; r < part.Count; r++)
            {
                writer.WriteVarUInt((ulong)name.Length);
                writer.WriteBytes(name);
            }
        }

        for (var c = 0; c < ColumnCount; c++)
        {
            writer.WriteString(Specs[c].Name);
            writer.WriteString(Specs[c].NativeType);
            foreach (var part in parts)
            {
                WriteRows(writer, part.Batch.columns[c].WrittenSpan, Specs[c].Width, part);
            }
        }

        writer.WriteString(IngestedAtColumn);
        writer.WriteString(IngestedAtType);
        var stamps = MemoryMarshal.Cast<byte, long>(writer.GetSpan(total * sizeof(long))[..(total * sizeof(long))]);
        stamps.Fill(UnixMilliseconds(ingestedAt));
        writer.Advance(total * sizeof(long));
    }

    private static void WriteRows(NativeWriter writer, ReadOnlySpan<byte> column, int width, EventRows part)
    {
        if (part.Rows is not { } rows)
        {
            writer.WriteBytes(column);
            return;
        }

        if (width > 0)
        {
            foreach (var row in rows)
            {
                writer.WriteBytes(column.Slice(row * width, width));
            }

            return;
        }

        // Texts have no fixed place: walk the column, copying the rows asked for.
        var at = 0;
        var next = 0;
        for (var row = 0; next < rows.Length; row++)
        {
            var start = at;
            NextText(column, ref at);
            if (rows[next] == row)
            {
                writer.WriteBytes(column[start..at]);
                next++;
            }
        }
    }

    /// <summary>The UTF-8 of the text value of <paramref name="column"/> at <paramref name="at"/>, which moves past it (its varint length and its bytes).</summary>
    private static ReadOnlySpan<byte> NextText(ReadOnlySpan<byte> column, ref int at)
    {
        var length = NextVarUInt(column, ref at);
        var text = column.Slice(at, (int)length);
        at += text.Length;
        return text;
    }

    /// <summary>The rows of a block <see cref="WriteBlock"/> wrote: its second varint, after the column count.</summary>
    internal static ulong BlockRows(ReadOnlySpan<byte> block)
    {
        var at = 0;
        NextVarUInt(block, ref at);
        return NextVarUInt(block, ref at);
    }

    private static ulong NextVarUInt(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    public void Dispose()
    {
        foreach (var column in columns)
        {
            column.Dispose();
        }
    }
}

/// <summary>Some events of a batch: the rows at <see cref="Rows"/> (ascending), or all of them when it is null.</summary>
internal readonly record struct EventRows(EventBatch Batch, int[]? Rows)
{
    public int Count => Rows?.Length ?? Batch.Count;

    /// <summary>These events as records, for the spool.</summary>
    public List<EventRecord> Records() => Batch.Records(Rows);

    /// <summary>
    /// These events less those <paramref name="keep"/> refuses; it is asked about each in order, by its place
    /// among these (0 to <see cref="Count"/> - 1). When it keeps them all, the same rows.
    /// </summary>
    public EventRows Where(Func<int, bool> keep)
    {
        List<int>? kept = null; // null while every event so far is kept
        for (var i = 0; i < Count; i++)
        {
            if (keep(i))
            {
                kept?.Add(Rows?[i] ?? i);
            }
            else
            {
                kept ??= [.. Rows?.Take(i) ?? Enumerable.Range(0, i)];
            }
        }

        return kept is null ? this : this with { Rows = [.. kept] };
    }
}
