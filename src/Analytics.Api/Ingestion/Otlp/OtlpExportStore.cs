using Analytics.Api.Ingestion.Otlp.Proto;

namespace Analytics.Api.Ingestion.Otlp;

/// <summary>
/// One OTLP trace export, decoded, stored the way either transport (OTLP/HTTP, OTLP/gRPC) stores it: its GenAI
/// spans become events through the same writer as <c>POST /v1/events</c>, with the same de-duplication,
/// quarantine and backpressure. The transport turns the outcome into its own answer.
/// </summary>
internal static partial class OtlpExportStore
{
    /// <summary>At most this many refused spans are named in <c>partial_success.error_message</c>, as /v1/events lists 100 lines.</summary>
    private const int ListedRefusals = 100;

    /// <summary>
    /// The export's answer, or why it was not stored: an HTTP status (413, 429, 503) with a message and, for the
    /// last two, the seconds after which to retry. Nothing of a refused export is stored.
    /// </summary>
    public sealed record Outcome(ExportTraceServiceResponse? Response, int Status, string? Message, int? RetryAfterSeconds)
    {
        public static Outcome Stored(ExportTraceServiceResponse response) => new(response, StatusCodes.Status200OK, null, null);

        public static Outcome Refused(int status, string message, int? retryAfterSeconds = null) => new(null, status, message, retryAfterSeconds);
    }

    public static async Task<Outcome> StoreAsync(
        ExportTraceServiceRequest export, string workspace, EventWriter writer, TimeProvider time, IngestionOptions ingestion, ILoggerFactory loggers)
    {
        var mapped = SpanMapper.Map(export, workspace);
        if (mapped.Skipped > 0)
        {
            LogSkipped(loggers.CreateLogger(typeof(OtlpExportStore).FullName!), mapped.Skipped, mapped.Spans, workspace);
        }

        var parsed = mapped.Parsed;
        if (parsed.Events.Count + parsed.Errors.Count == 0)
        {
            parsed.Events.Dispose();
            return Outcome.Stored(Summary(mapped, duplicates: 0));
        }

        if (parsed.Events.Count + parsed.Errors.Count > ingestion.BufferCapacity)
        {
            parsed.Events.Dispose();
            return Outcome.Refused(StatusCodes.Status413PayloadTooLarge, $"an export may hold at most {ingestion.BufferCapacity} GenAI spans; split it");
        }

        var receivedAt = time.GetUtcNow().UtcDateTime;
        var quarantined = parsed.Errors.ConvertAll(x => new QuarantinedLine(workspace, receivedAt, x.Line, x.Raw, x.Reason));
        var request = new IngestRequest(workspace, parsed.Events, quarantined, waitForCommit: true);
        if (!writer.TryEnqueue(request))
        {
            request.Dispose();
            return writer.IsAccepting
                ? Outcome.Refused(StatusCodes.Status429TooManyRequests, "the ingestion buffer is full; retry after a second", 1)
                : Outcome.Refused(StatusCodes.Status503ServiceUnavailable, "the service is shutting down; nothing from this export was stored", 5);
        }

        try
        {
            var outcome = await request.Outcome;
            return Outcome.Stored(Summary(mapped, outcome.Duplicates + request.Repeated));
        }
        catch (StoreUnavailableException ex)
        {
            return Outcome.Refused(StatusCodes.Status503ServiceUnavailable, ex.Message, 5);
        }
    }

    /// <summary>
    /// The export's answer: no <c>partial_success</c> when every span was stored, else the quarantined
    /// spans as rejected with their reasons, and skipped and duplicate spans as warnings (rejected 0).
    /// </summary>
    internal static ExportTraceServiceResponse Summary(SpanMapper.Result mapped, int duplicates)
    {
        var notes = new List<string>();
        var errors = mapped.Parsed.Errors;
        if (errors.Count > 0)
        {
            var listed = errors.Take(ListedRefusals).Select((e, i) =>
                mapped.RefusedSpanIds[i].Length > 0 ? $"span {e.Line} ({mapped.RefusedSpanIds[i]}): {e.Reason}" : $"span {e.Line}: {e.Reason}");
            notes.Add($"{Spans(errors.Count)} quarantined: {string.Join("; ", listed)}{(errors.Count > ListedRefusals ? "; …" : string.Empty)}");
        }

        if (mapped.Skipped > 0)
        {
            notes.Add($"{Spans(mapped.Skipped)} without gen_ai.* attributes skipped");
        }

        if (duplicates > 0)
        {
            notes.Add($"{Spans(duplicates)} already stored (duplicate event ids)");
        }

        var response = new ExportTraceServiceResponse();
        if (notes.Count > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = errors.Count, ErrorMessage = string.Join(". ", notes) };
        }

        return response;
    }

    private static string Spans(int count) => count == 1 ? "1 span" : $"{count} spans";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Skipped} of {Spans} spans of an OTLP export to workspace {Workspace}: no gen_ai.* attributes")]
    private static partial void LogSkipped(ILogger logger, int skipped, int spans, string workspace);
}
