namespace Analytics.ClickHouse.Transport;

/// <summary>One statement as a transport sees it: text, server-side parameters and settings.</summary>
internal sealed record QueryRequest(
    string Sql,
    string Database,
    string QueryId,
    string Format,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    IReadOnlyDictionary<string, string> Settings,
    TimeSpan Timeout);
