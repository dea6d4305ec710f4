using Analytics.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAnalytics(builder.Configuration);

var app = builder.Build();

// `analytics keys create ...` and friends run the admin operations without serving HTTP.
if (AdminCli.IsCommand(args))
{
    return await AdminCli.RunAsync(app.Services, args);
}

app.MapAnalytics();
await app.RunAsync();
return 0;

/// <summary>The service's entry point; public so that tests can host it.</summary>
public partial class Program;
