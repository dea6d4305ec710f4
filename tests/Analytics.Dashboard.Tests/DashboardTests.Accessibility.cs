using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace Analytics.Dashboard.Tests;

public sealed partial class DashboardTests
{
    [Test]
    public async Task EveryView_PassesAxe_WcagAA()
    {
        var page = await OpenAsync();
        var problems = new List<string>();
        await CheckAsync("sign-in");

        await page.GetByLabel("API key").FillAsync(adminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ReadyAsync(page, "templates");
        await CheckAsync("templates");
        foreach (var (link, view) in new[] { ("Usage", "usage"), ("Credit extract", "extract"), ("Ingestion", "ingestion") })
        {
            await OpenViewAsync(page, link, view);
            if (view == "usage")
            {
                await page.Locator("#view details summary").ClickAsync(); // the per-day table too
            }

            await CheckAsync(view);
        }

        Assert.That(problems, Is.Empty, string.Join("\n", problems));
        await CloseAsync(page);

        async Task CheckAsync(string name)
        {
            var result = await page.RunAxe(new AxeRunOptions
            {
                RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
            });
            problems.AddRange(result.Violations.Select(v =>
                $"{name}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}"));
        }
    }
}
