using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Features.UserStats;

/// <summary><c>POST /api/admin/histories/charts/user-stats</c>: per-user-per-period credit extract with caps and a summary.</summary>
internal static class UserStatsHandler
{
    public const int MaxRows = 5000;

    public static async Task<Results<Ok<UserStatsResponse>, ContentHttpResult, JsonHttpResult<UserStatsError>>> HandleAsync(
        HttpContext context,
        [FromHeader(Name = QueryAccess.WorkspaceHeader)] string? workspaceId,
        CredentialResolver credentials,
        ClickHouseConnectionFactory connections,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(UserStatsHandler));
        var access = await QueryAccess.ResolveAsync(context, credentials, Scopes.Admin, workspaceId);
        if (access.Failure != AccessFailure.None)
        {
            return Error(logger, access.Failure switch
            {
                AccessFailure.Unauthenticated => StatusCodes.Status401Unauthorized,
                AccessFailure.Forbidden => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status400BadRequest,
            }, access.Message);
        }

        UserStatsRequest? request;
        string? problem;
        try
        {
            // No body at all is the same as {}: every field is optional.
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, cancellationToken);
            (request, problem) = UserStatsRequest.Parse(body.RootElement);
        }
        catch (JsonException) when (context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any())
        {
            (request, problem) = (UserStatsRequest.Default, null);
        }
        catch (JsonException)
        {
            (request, problem) = (null, "the body is not valid JSON");
        }

        if (request is null)
        {
            return Error(logger, StatusCodes.Status400BadRequest, problem!);
        }

        var window = UserStatsWindow.Derive(request, time.GetUtcNow());
        if (!window.InSupportedRange)
        {
            return Error(logger, StatusCodes.Status400BadRequest, "the window must lie between 1970-01-01 and 2149-06-06");
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<UserStatsRow>(new CommandDefinition(
            SqlFiles.Query("user_stats"),
            QueryParameters.From(new
            {
                workspace = access.WorkspaceId,
                granularity = request.Granularity,
                start = window.Start,
                end = window.End,
                full_from = window.FullDaysFrom,
                full_to = window.FullDaysTo,
                accounts = request.Accounts,
                institutions = request.Institutions,
                role = request.Role,
                search = request.Search,
                limit = (uint)MaxRows + 1,
            }),
            cancellationToken: cancellationToken))).ToList();

        var response = Map(request, window, rows);
        UserStatsLog.Served(logger, access.WorkspaceId!, window.Start, window.End, request.Granularity, response.Data.Count, response.Truncated);
        if (!UserStatsCsv.IsPreferred(context.Request))
        {
            return TypedResults.Ok(response);
        }

        context.Response.Headers["X-Truncated"] = response.Truncated ? "true" : "false";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"user-stats.csv\"";
        return TypedResults.Text(UserStatsCsv.Write(response.Data), UserStatsCsv.ContentType);
    }

    /// <summary>The first <see cref="MaxRows"/> rows as entries, <c>truncated</c> when the query found more, and the summary.</summary>
    internal static UserStatsResponse Map(UserStatsRequest request, UserStatsWindow window, IReadOnlyList<UserStatsRow> rows)
    {
        var entries = rows.Take(MaxRows).Select(r => new UserStatsEntry(
            r.User, r.Email, r.Fname, r.Lname, r.Institution, r.InstanceName, r.AiName,
            r.PeriodStart.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            r.QueryCount, JsonDecimal.Normalize(r.CreditsUsed), JsonDecimal.Normalize(r.LifetimeUsed),
            r.CapLimit is { } cap ? JsonDecimal.Normalize(cap) : null, CapUsedPct(r.LifetimeUsed, r.CapLimit), r.AtCap)).ToList();

        var summary = rows.Count == 0
            ? new UserStatsSummary(0, 0, 0)
            : new UserStatsSummary(
                JsonDecimal.Round(rows[0].TotalCredits / rows[0].UserCount, 6),
                JsonDecimal.Round(rows[0].InstitutionMeanSum / rows[0].InstitutionCount, 6),
                rows[0].UsersAtCap);

        return new UserStatsResponse(
            true, rows.Count > MaxRows, request.Granularity, window.Source, window.DefaultDays, window.Start, window.End, entries, summary);
    }

    /// <summary>Lifetime credits as a percentage of the cap, to 2 decimals; a zero cap counts as fully used.</summary>
    internal static decimal? CapUsedPct(decimal lifetimeUsed, decimal? capLimit) => capLimit switch
    {
        null => null,
        0m => 100m,
        { } cap => JsonDecimal.Round(lifetimeUsed * 100m / cap, 2),
    };

    private static JsonHttpResult<UserStatsError> Error(ILogger logger, int status, string message)
    {
        UserStatsLog.Rejected(logger, status, message);
        return TypedResults.Json(new UserStatsError(false, message), statusCode: status);
    }
}
