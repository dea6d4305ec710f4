using System.Diagnostics;

namespace Analytics.Api.Tests.Features.UserStats;

/// <summary>A clock that starts at a chosen instant and then runs, so that "now" is known without racing midnight.</summary>
internal sealed class FixedClock(DateTimeOffset start) : TimeProvider
{
    private readonly long origin = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => start + Stopwatch.GetElapsedTime(origin);
}
