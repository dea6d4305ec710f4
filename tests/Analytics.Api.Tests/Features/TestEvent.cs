namespace Analytics.Api.Tests.Features;

/// <summary>An event a test inserts straight into <c>events</c>; the materialized views fill the rollups from it.</summary>
internal sealed record TestEvent(string Workspace, string UserId, DateTime Timestamp)
{
    private static readonly string[] Columns =
    [
        "workspace_id", "event_id", "timestamp", "user_id", "prompt_id", "product_id", "product_name", "user_email", "user_fname",
        "user_lname", "user_role", "account_id", "institution_id", "instance_name", "ai_name", "origin", "history_id", "cost",
        "credits", "status", "ingested_at",
    ];

    private static long sequence;

    public string EventId { get; init; } = "ev-" + Interlocked.Increment(ref sequence);

    public string PromptId { get; init; } = string.Empty;

    public Guid ProductId { get; init; }

    public string ProductName { get; init; } = string.Empty;

    public string Email { get; init; } = string.Empty;

    public string FirstName { get; init; } = string.Empty;

    public string LastName { get; init; } = string.Empty;

    public string Role { get; init; } = "user";

    public string Account { get; init; } = string.Empty;

    public string Institution { get; init; } = string.Empty;

    public string InstanceName { get; init; } = string.Empty;

    public string AiName { get; init; } = string.Empty;

    public string Origin { get; init; } = "APP";

    public string HistoryId { get; init; } = string.Empty;

    public decimal Cost { get; init; }

    public decimal Credits { get; init; }

    public DateOnly Day => DateOnly.FromDateTime(Timestamp);

    /// <summary>Inserts <paramref name="events"/> with one bulk write.</summary>
    public static async Task InsertAsync(AnalyticsFactory factory, IEnumerable<TestEvent> events)
    {
        await using var connection = await factory.OpenConnectionAsync();
        await connection.CreateBulkWriter("events", Columns).WriteAsync(events.Select(e => new object?[]
        {
            e.Workspace, e.EventId, e.Timestamp, e.UserId, e.PromptId, e.ProductId, e.ProductName, e.Email, e.FirstName,
            e.LastName, e.Role, e.Account, e.Institution, e.InstanceName, e.AiName, e.Origin, e.HistoryId, e.Cost,
            e.Credits, "ok", DateTime.UtcNow,
        }));
    }

    public static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int millisecond = 0) =>
        new(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);
}
