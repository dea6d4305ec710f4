using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Features.PromptUsage;

/// <summary>
/// The request as sent. Everything binds as text so that the handler, not the framework, reports
/// malformed values, all at once and in FastAPI's shape.
/// </summary>
public sealed class PromptUsageParameters
{
    [FromRoute(Name = "product_id"), Description("The product the key is for (UUID); the answer covers every product of its organization.")]
    public string ProductId { get; init; } = string.Empty;

    [FromQuery(Name = "start_date"), Description("First UTC calendar day to include (YYYY-MM-DD). Required.")]
    public string? StartDate { get; init; }

    [FromQuery(Name = "end_date"), Description("Last UTC calendar day to include, inclusive (YYYY-MM-DD). Required.")]
    public string? EndDate { get; init; }

    [FromQuery(Name = "product_ids"), Description("Restrict to these products (UUIDs, repeatable). Defaults to all products.")]
    public string[]? ProductIds { get; init; }

    [FromQuery(Name = "search"), Description("Case-insensitive substring of the user's email or full name.")]
    public string? Search { get; init; }

    [FromQuery(Name = "origin"), Description("Restrict to one prompt origin: APP, SLACK or API_KEY. Defaults to all.")]
    public string? Origin { get; init; }

    [FromHeader(Name = "X-Workspace-Id"), Description("Only with the bootstrap admin token: the workspace to report on.")]
    public string? WorkspaceId { get; init; }
}
