using Microsoft.Extensions.Configuration;

namespace Analytics.Api.Tests.Infrastructure;

public sealed class HostingTests
{
    [Test]
    public async Task SettingsFiles_AreReadOnce_NotWatched()
    {
        // A watch would cover the content root recursively, where the embedded engine keeps its data by default.
        await using var factory = await AnalyticsFactory.StartFreshAsync(nameof(HostingTests));
        var configuration = (IConfigurationRoot)factory.Services.GetRequiredService<IConfiguration>();

        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.That(files.Select(f => f.Source.Path), Does.Contain("appsettings.json"));
        Assert.That(files.Where(f => f.Source.ReloadOnChange).Select(f => f.Source.Path), Is.Empty);
    }
}
