namespace Analytics.Dashboard.Tests;

/// <summary>Debian's Chromium, driven by Playwright; never a browser Playwright would download.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    // Without the background-networking flags Chromium keeps dialling Google's hosts, which a closed network refuses.
    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Skips the calling fixture, saying why, when the browser is not installed.</summary>
    public static void RequireInstalled()
    {
        if (!File.Exists(Path))
        {
            Assert.Ignore($"{Path} is missing: install Debian's chromium (apt-get install -y chromium) to run the dashboard's browser tests; .ci/run does.");
        }
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Path, Headless = true, Args = Args });
        return (playwright, browser);
    }
}
