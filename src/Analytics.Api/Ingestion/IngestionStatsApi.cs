using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Ingestion;

/// <summary>
/// How ingestion is going, for the dashboard and for operators: <c>GET /v1/ingestion/stats</c> (scope
/// <c>read</c>: counts only) and <c>GET /v1/ingestion/quarantine</c> (scope <c>admin</c>: the refused lines
/// hold whatever the gateway sent, so they are for admins).
/// </summary>
public static class IngestionStatsApi
{
    public const int DefaultQuarantineLimit = 20;
    public const int MaxQuarantineLimit = 200;

    public static IEndpointRouteBuilder MapIngestionStatsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/ingestion").WithTags("Ingestion");
        group.MapGet("/stats", StatsAsync).WithName("GetIngestionStats")
            .WithSummary("Events accepted, duplicates and lines quarantined over the last hour and day, and this instance's spool and buffer.")
            .WithDescription(
                "Scope `read`; the bootstrap admin token names the workspace in X-Workspace-Id. Counted per minute when a batch is stored " +
                "(a spooled batch when it is replayed), so the last hour is the 60 minutes up to and including the current one, the last day " +
                "1440. `spool_batches` (batches waiting on disk for ClickHouse) and `buffered` (events and lines admitted, not yet stored) are " +
                "this service instance's, for every workspace.")
            .Produces<IngestionStats>().Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(503)
            .AddEndpointFilter(Unavailable);
        group.MapGet("/quarantine", QuarantineAsync).WithName("GetQuarantinedLines")
            .WithSummary("The workspace's latest quarantined lines, newest first, with the reason each was refused.")
            .WithDescription(
                $"Scope `admin`. `limit` 1 to {MaxQuarantineLimit} (default {DefaultQuarantineLimit}). Each raw line is cut to its first 2000 " +
                "characters (`raw_truncated` says so).")
            .Produces<QuarantineAnswer>().Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(503)
            .AddEndpointFilter(Unavailable);
        return app;
    }

    private static readonly EngineUnavailableFilter Unavailable = new(message => ErrorResponse.Result(StatusCodes.Status503ServiceUnavailable, message));

    private static async Task<IResult> StatsAsync(
        HttpContext context,
        [FromHeader(Name = QueryAccess.WorkspaceHeader)] string? workspaceId,
        CredentialResolver credentials,
        ClickHouseConnectionFactory connections,
        EventWriter writer,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var access = await QueryAccess.ResolveAsync(context, credentials, Scopes.Read, workspaceId);
        if (Denied(access) is { } denied)
        {
            return denied;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var minute = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<IngestCountsRow>(new CommandDefinition(
            SqlFiles.Query("ingest_counts"),
            QueryParameters.From(new { workspace = access.WorkspaceId, hour = minute.AddMinutes(-59), day = minute.AddMinutes(-(24 * 60) + 1) }),
            cancellationToken: cancellationToken));
        return Results.Ok(new IngestionStats(
            access.WorkspaceId!,
            now,
            new IngestionWindow(row.HourAccepted, row.HourDuplicates, row.HourQuarantined),
            new IngestionWindow(row.DayAccepted, row.DayDuplicates, row.DayQuarantined),
            writer.Spool.Count,
            writer.Buffered));
    }

    private static async Task<IResult> QuarantineAsync(
        HttpContext context,
        [FromHeader(Name = QueryAccess.WorkspaceHeader)] string? workspaceId,
        [FromQuery] string? limit,
        CredentialResolver credentials,
        ClickHouseConnectionFactory connections,
        CancellationToken cancellationToken)
    {
        var access = await QueryAccess.ResolveAsync(context, credentials, Scopes.Admin, workspaceId);
        if (Denied(access) is { } denied)
        {
            return denied;
        }

        var count = DefaultQuarantineLimit;
        if (limit is not null && (!int.TryParse(limit, out count) || count < 1 || count > MaxQuarantineLimit))
        {
            return ErrorResponse.Result(400, $"limit must be an integer from 1 to {MaxQuarantineLimit}");
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var lines = (await connection.QueryAsync<QuarantinedLineView>(new CommandDefinition(
            SqlFiles.Query("quarantine_latest"),
            QueryParameters.From(new { workspace = access.WorkspaceId, limit = (uint)count }),
            cancellationToken: cancellationToken))).ToList();
        return Results.Ok(new QuarantineAnswer(access.WorkspaceId!, lines));
    }

    private static IResult? Denied(QueryAccess access) => access.Failure switch
    {
        AccessFailure.None => null,
        AccessFailure.Unauthenticated => ErrorResponse.Result(401, access.Message),
        AccessFailure.WorkspaceMissing => ErrorResponse.Result(400, access.Message),
        _ => ErrorResponse.Result(403, access.Message),
    };
}
