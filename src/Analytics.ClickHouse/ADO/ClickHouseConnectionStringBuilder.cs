using System.Data.Common;
using System.Globalization;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// Reads and writes ClickHouse connection strings, e.g.
/// <c>Engine=Embedded;Path=data/clickhouse;Database=analytics</c> or
/// <c>Engine=Http;Url=http://localhost:8123;Database=analytics;Username=default;Password=secret</c>.
/// </summary>
public sealed class ClickHouseConnectionStringBuilder : DbConnectionStringBuilder
{
    /// <summary>Creates an empty builder.</summary>
    public ClickHouseConnectionStringBuilder()
    {
    }

    /// <summary>Creates a builder from an existing connection string.</summary>
    public ClickHouseConnectionStringBuilder(string connectionString) => ConnectionString = connectionString;

    /// <summary>The engine: <c>Embedded</c> (default) or <c>Http</c>.</summary>
    public ClickHouseEngine Engine
    {
        get => TryGetValue(nameof(Engine), out var v) ? Enum.Parse<ClickHouseEngine>(v.ToString()!, ignoreCase: true) : ClickHouseEngine.Embedded;
        set => this[nameof(Engine)] = value.ToString();
    }

    /// <summary>The embedded engine's data folder.</summary>
    public string Path
    {
        get => GetString(nameof(Path)) ?? ClickHouseDefaults.DataPath;
        set => this[nameof(Path)] = value;
    }

    /// <summary>The HTTP interface's base URL.</summary>
    public string Url
    {
        get => GetString(nameof(Url)) ?? ClickHouseDefaults.Url;
        set => this[nameof(Url)] = value;
    }

    /// <summary>The database statements run in.</summary>
    public string Database
    {
        get => GetString(nameof(Database)) ?? ClickHouseDefaults.Database;
        set => this[nameof(Database)] = value;
    }

    /// <summary>The user for the HTTP interface.</summary>
    public string? Username
    {
        get => GetString(nameof(Username));
        set => this[nameof(Username)] = value;
    }

    /// <summary>The password for the HTTP interface; hidden by <see cref="ToString"/>.</summary>
    public string? Password
    {
        get => GetString(nameof(Password));
        set => this[nameof(Password)] = value;
    }

    /// <summary>Seconds a statement may run.</summary>
    public int Timeout
    {
        get => GetInt(nameof(Timeout)) ?? ClickHouseDefaults.CommandTimeoutSeconds;
        set => this[nameof(Timeout)] = value;
    }

    /// <summary>Embedded engine sessions (statements that may run at once).</summary>
    public int PoolSize
    {
        get => GetInt(nameof(PoolSize)) ?? ClickHouseDefaults.PoolSize;
        set => this[nameof(PoolSize)] = value;
    }

    /// <summary>Whether HTTP request and response bodies are gzip-compressed (default true).</summary>
    public bool Compression
    {
        get => !TryGetValue(nameof(Compression), out var v) || Convert.ToBoolean(v, CultureInfo.InvariantCulture);
        set => this[nameof(Compression)] = value;
    }

    /// <summary>An existing <c>libchdb.so</c> to load instead of the cached build.</summary>
    public string? LibraryPath
    {
        get => GetString(nameof(LibraryPath));
        set => this[nameof(LibraryPath)] = value;
    }

    /// <summary>The connection string with the password masked, safe to log.</summary>
    public override string ToString()
    {
        var copy = new ClickHouseConnectionStringBuilder(ConnectionString);
        if (copy.ContainsKey(nameof(Password)))
        {
            copy[nameof(Password)] = "****";
        }

        return copy.ConnectionString;
    }

    private string? GetString(string key) => TryGetValue(key, out var v) && v?.ToString() is { Length: > 0 } s ? s : null;

    private int? GetInt(string key) => TryGetValue(key, out var v) ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : null;
}
