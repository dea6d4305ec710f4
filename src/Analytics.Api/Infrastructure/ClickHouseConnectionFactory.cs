using Analytics.ClickHouse.ADO;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Infrastructure;

/// <summary>Opens connections to the configured engine and database.</summary>
public sealed class ClickHouseConnectionFactory(IOptions<AnalyticsOptions> options)
{
    private readonly string connectionString = options.Value.ConnectionString;

    public async Task<ClickHouseConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new ClickHouseConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
