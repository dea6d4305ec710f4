using Analytics.Api;
using Analytics.Api.Hosting;
using Microsoft.Extensions.Options;

// Settings are read once, at start. Watching the settings files for changes would watch the content root
// and every folder under it, and the embedded engine's data folder lies there by default: an inotify watch
// and a stream of events for every part the engine writes.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
builder.Services.AddAnalytics(builder.Configuration);

var app = builder.Build();

// `keys create ...`, `migrate`, `--help` and friends run the admin operations without serving HTTP.
if (AnalyticsCli.IsCommand(args))
{
    return await AnalyticsCli.InvokeAsync(app.Services, args, Console.Out, Console.Error);
}

// A setting that cannot work stops the start here, before the host starts any of the service's parts.
SettingsCheck.ThrowIfUnusable(app.Services.GetRequiredService<IOptions<AnalyticsOptions>>().Value);
app.MapAnalytics();
await app.RunAsync();
return 0;

/// <summary>The service's entry point; public so that tests can host it.</summary>
public partial class Program;
