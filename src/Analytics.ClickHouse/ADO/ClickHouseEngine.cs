namespace Analytics.ClickHouse.ADO;

/// <summary>Which engine a connection talks to.</summary>
public enum ClickHouseEngine
{
    /// <summary>chDB, the ClickHouse engine loaded in-process; data lives in <c>Path</c>.</summary>
    Embedded,

    /// <summary>A ClickHouse server (or cluster) reached over its HTTP interface at <c>Url</c>.</summary>
    Http,
}
