namespace Analytics.Api.Telemetry;

/// <summary>
/// Marks an endpoint as one of the query APIs: its requests are timed, whole (a streamed answer until its
/// last byte), as <c>analytics.query.duration</c> with <see cref="Name"/> as the <c>api</c> tag.
/// </summary>
public sealed record QueryApi(string Name);
