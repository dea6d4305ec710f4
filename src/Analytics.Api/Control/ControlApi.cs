using System.Text.Json.Serialization;
using Analytics.Api.Auth;
using Analytics.Api.Features.Shared;
using Analytics.Api.Infrastructure;

namespace Analytics.Api.Control;

/// <summary>Forgetting histories and setting user caps (scope <c>admin</c>).</summary>
public static class ControlApi
{
    /// <summary>The decimals a cap keeps (<c>user_caps.cap_limit</c> is a <c>Decimal(18, 6)</c>).</summary>
    public const int CapDecimals = 6;

    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/histories/forget", ForgetAsync).RequireAuthorization(Scopes.Admin)
            .WithName("ForgetHistories").WithTags("Control")
            .WithSummary("Exclude the events of these histories from every report from now on, rollups included. Idempotent.")
            .DocumentsJsonBody<ForgetRequest>(required: true)
            .Produces<ForgetResponse>().Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(415);
        app.MapPut("/v1/users/{user_id}/cap", SetCapAsync).RequireAuthorization(Scopes.Admin)
            .WithName("SetUserCap").WithTags("Control")
            .WithSummary("Set (or clear with null) a user's lifetime credit cap, used by the user-stats extract.")
            .DocumentsJsonBody<CapRequest>(required: true)
            .Produces<CapResponse>().Produces<ErrorResponse>(400).Produces<ErrorResponse>(401).Produces<ErrorResponse>(403).Produces<ErrorResponse>(415);
        return app;
    }

    private static async Task<IResult> ForgetAsync(HttpContext context, HistoryForgetter forgetter)
    {
        var (workspace, denied) = await AdminApi.AuthorizeAsync(context);
        if (denied is not null)
        {
            return denied;
        }

        var (body, unreadable) = await JsonRequestBody.ReadAsync<ForgetRequest>(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var ids = HistoryForgetter.Distinct(body?.HistoryIds ?? []);
        if (HistoryForgetter.Problem(ids) is { } problem)
        {
            return ErrorResponse.Result(400, problem);
        }

        var forgotten = await forgetter.ForgetAsync(workspace!, ids, context.RequestAborted);
        return Results.Ok(new ForgetResponse(forgotten, ids.Length - forgotten));
    }

    /// <summary>What is wrong with a cap limit, or null; the API and the CLI refuse the same caps.</summary>
    public static string? CapProblem(decimal? capLimit)
    {
        if (capLimit is < 0 or >= 1_000_000_000_000m)
        {
            return "cap_limit must be a non-negative number below 1e12, or null";
        }

        // The column keeps 6 decimals: a cap with more would be stored rounded, and read back unlike its echo.
        return capLimit is { } cap && decimal.Round(cap, CapDecimals) != cap
            ? $"cap_limit has more than {CapDecimals} decimal places; at most {CapDecimals} are stored"
            : null;
    }

    private static async Task<IResult> SetCapAsync(HttpContext context, ControlStore control, string user_id)
    {
        var (workspace, denied) = await AdminApi.AuthorizeAsync(context);
        if (denied is not null)
        {
            return denied;
        }

        var (body, unreadable) = await JsonRequestBody.ReadAsync<CapRequest>(context);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (body is null || !body.HasCapLimit)
        {
            return ErrorResponse.Result(400, "the body must be {\"cap_limit\": number or null}");
        }

        if (CapProblem(body.CapLimit) is { } problem)
        {
            return ErrorResponse.Result(400, problem);
        }

        await control.SetCapAsync(workspace!, user_id, body.CapLimit, context.RequestAborted);
        return Results.Ok(new CapResponse(user_id, body.CapLimit is { } stored ? JsonDecimal.Normalize(stored) : null));
    }
}

public sealed record ForgetRequest([property: JsonPropertyName("history_ids")] string[]? HistoryIds);

/// <summary>How many histories were newly forgotten and how many had been already.</summary>
public sealed record ForgetResponse(
    [property: JsonPropertyName("forgotten")] int Forgotten,
    [property: JsonPropertyName("already_forgotten")] int AlreadyForgotten);

public sealed class CapRequest
{
    private decimal? capLimit;

    [JsonPropertyName("cap_limit"), System.ComponentModel.DataAnnotations.Range(0d, 1e12, MaximumIsExclusive = true),
     System.ComponentModel.Description("credits, at most 6 decimals, below 1e12; null removes the cap")]
    public decimal? CapLimit
    {
        get => capLimit;
        set
        {
            capLimit = value;
            HasCapLimit = true;
        }
    }

    /// <summary>True when the body named cap_limit at all (null included), so a missing field is not read as "no cap".</summary>
    [JsonIgnore]
    public bool HasCapLimit { get; private set; }
}

public sealed record CapResponse([property: JsonPropertyName("user_id")] string UserId, [property: JsonPropertyName("cap_limit")] decimal? CapLimit);
