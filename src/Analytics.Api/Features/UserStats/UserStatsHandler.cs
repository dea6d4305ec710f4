using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;
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

        if (JsonRequestBody.ContentEncoding(context.Request) is { } encoding)
        {
            context.Response.Headers.AcceptEncoding = "identity";
            return Error(logger, StatusCodes.Status415UnsupportedMediaType, JsonRequestBody.EncodedBodyMessage(encoding));
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

        var result = await UserStatsQuery.ReadAsync(connections, access.WorkspaceId!, request, window, MaxRows + 1, cancellationToken);
        var response = Map(request, window, result);
        UserStatsLog.Served(logger, access.WorkspaceId!, window.Start, window.End, request.Granularity, response.Data.Count, response.Truncated);
        if (!UserStatsCsv.IsPreferred(context.Request))
        {
            return TypedResults.Ok(response);
        }

        context.Response.Headers["X-Truncated"] = response.Truncated ? "true" : "false";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"user-stats.csv\"";
        return TypedResults.Text(UserStatsCsv.Write(response.Data), UserStatsCsv.ContentType);
    }

    /// <summary>
    /// The first <see cref="MaxRows"/> rows of the page as entries with their users' names, lifetimes
    /// and caps, <c>truncated</c> when the page holds more, and the summary.
    /// </summary>
    internal static UserStatsResponse Map(UserStatsRequest request, UserStatsWindow window, UserStatsQuery.Result result)
    {
        // A user's lifetime and cap ride on each of their rows; names are per user and institution.
        var byProfile = new Dictionary<(string User, string Institution), UserStatsPerson>();
        var byUser = new Dictionary<string, UserStatsPerson>(StringComparer.Ordinal);
        foreach (var person in result.People)
        {
            byProfile.TryAdd((person.User, person.Institution), person);
            byUser.TryAdd(person.User, person);
        }

        var entries = result.Page.Take(MaxRows).Select(r =>
        {
            var user = byUser.GetValueOrDefault(r.User);
            var profile = byProfile.GetValueOrDefault((r.User, r.Institution));
            var (lifetime, cap) = (user?.LifetimeUsed ?? 0m, user?.CapLimit);
            return new UserStatsEntry(
                r.User, profile?.Email ?? string.Empty, profile?.Fname ?? string.Empty, profile?.Lname ?? string.Empty, r.Institution,
                profile?.InstanceName ?? string.Empty, profile?.AiName ?? string.Empty,
                r.PeriodStart.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                r.QueryCount, JsonDecimal.Normalize(r.CreditsUsed), JsonDecimal.Normalize(lifetime),
                cap is { } limit ? JsonDecimal.Normalize(limit) : null, CapUsedPct(lifetime, cap), lifetime >= cap);
        }).ToList();

        var totals = result.Totals;
        var summary = totals.UserCount == 0
            ? new UserStatsSummary(0, 0, 0)
            : new UserStatsSummary(
                JsonDecimal.Round(totals.TotalCredits / totals.UserCount, 6),
                JsonDecimal.Round(totals.InstitutionMeanSum / totals.InstitutionCount, 6),
                totals.UsersAtCap);

        return new UserStatsResponse(
            true, result.Page.Count > MaxRows, request.Granularity, window.Source, window.DefaultDays, window.Start, window.End, entries, summary);
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
