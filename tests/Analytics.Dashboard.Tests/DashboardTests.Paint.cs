namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    /// <summary>
    /// How long a 30-day templates view takes to fill, from the start of the navigation to the view marked ready
    /// (the top templates and A's stats fetched and drawn), on the load test's traffic scaled down. Printed, not
    /// asserted: timings on a shared 2-core machine are not a test's business.
    /// </summary>
    [Test]
    public async Task FirstPaint_OfTheThirtyDayView_IsMeasured()
    {
        var page = await SignInAsync(loadKey);
        var figures = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            await page.ReloadAsync();
            await ReadyAsync(page, "templates");
            figures.Add(await page.EvaluateAsync<double>("() => performance.getEntriesByName('view-ready:templates')[0].startTime"));
        }

        var paint = await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
        figures.Sort();
        TestContext.Progress.WriteLine(
            $"[dashboard] 30-day templates view filled {figures[0]:F0} / {figures[2]:F0} / {figures[^1]:F0} ms (min / median / max of 5 reloads) after navigation start; " +
            $"first contentful paint {paint:F0} ms; {await page.Locator("#templates-table tbody tr").CountAsync()} templates of the load test's traffic ({LoadWorkspace})");
        Assert.That(await page.Locator("#templates-table tbody tr").CountAsync(), Is.EqualTo(25));
        await CloseAsync(page);
    }

    /// <summary>
    /// The README's picture: the 30-day templates view of the load test's traffic, scaled down, at a laptop's width.
    /// Written to the test's output folder; DASHBOARD_SCREENSHOT names another path (docs/dashboard.png in the README).
    /// </summary>
    [Test]
    public async Task Screenshot_OfTheTemplatesView()
    {
        var page = await SignInAsync(loadKey);
        var path = Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT") is { Length: > 0 } target
            ? Path.GetFullPath(target)
            : Path.Combine(TestContext.CurrentContext.WorkDirectory, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Progress.WriteLine($"[dashboard] screenshot written to {path}");
        Assert.That(new FileInfo(path).Length, Is.GreaterThan(10_000));
        await CloseAsync(page);
    }
}
