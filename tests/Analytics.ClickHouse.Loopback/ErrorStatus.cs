namespace Analytics.ClickHouse.Loopback;

/// <summary>The HTTP status a ClickHouse server answers a failed statement with, by the error's name.</summary>
internal static class ErrorStatus
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["REQUIRED_PASSWORD"] = 401,
        ["UNKNOWN_USER"] = 403,
        ["WRONG_PASSWORD"] = 403,
        ["AUTHENTICATION_FAILED"] = 403,
        ["SET_NON_GRANTED_ROLE"] = 403,
        ["ACCESS_DENIED"] = 403,
        ["QUERY_IS_TOO_LARGE"] = 413,
        ["NOT_IMPLEMENTED"] = 501,
        ["SOCKET_TIMEOUT"] = 503,
        ["CANNOT_OPEN_FILE"] = 503,
        ["CANNOT_SCHEDULE_TASK"] = 503,
        ["HTTP_LENGTH_REQUIRED"] = 411,
        ["TIMEOUT_EXCEEDED"] = 408,
        ["UNSUPPORTED_MEDIA_TYPE"] = 415,
    };

    private static readonly string[] BadRequest =
    [
        "BAD_ARGUMENTS", "CANNOT_COMPILE_REGEXP", "CANNOT_PARSE_TEXT", "CANNOT_PARSE_ESCAPE_SEQUENCE",
        "CANNOT_PARSE_QUOTED_STRING", "CANNOT_PARSE_DATE", "CANNOT_PARSE_DATETIME", "CANNOT_PARSE_NUMBER",
        "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING", "CANNOT_PARSE_IPV4", "CANNOT_PARSE_IPV6",
        "CANNOT_PARSE_INPUT_ASSERTION_FAILED", "CANNOT_PARSE_UUID", "DUPLICATE_COLUMN", "ILLEGAL_COLUMN",
        "UNKNOWN_ELEMENT_IN_AST", "UNKNOWN_TYPE_OF_AST_NODE", "THERE_IS_NO_COLUMN", "TOO_DEEP_AST", "TOO_BIG_AST",
        "UNEXPECTED_AST_STRUCTURE", "SYNTAX_ERROR", "INCORRECT_DATA", "TYPE_MISMATCH", "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
    ];

    private static readonly string[] NotFound =
    [
        "UNKNOWN_TABLE", "UNKNOWN_FUNCTION", "UNKNOWN_IDENTIFIER", "UNKNOWN_TYPE", "UNKNOWN_STORAGE", "UNKNOWN_DATABASE",
        "UNKNOWN_SETTING", "UNKNOWN_DIRECTION_OF_SORTING", "UNKNOWN_AGGREGATE_FUNCTION", "UNKNOWN_FORMAT",
        "UNKNOWN_DATABASE_ENGINE", "UNKNOWN_TYPE_OF_QUERY", "UNKNOWN_ROLE",
    ];

    static ErrorStatus()
    {
        foreach (var name in BadRequest)
        {
            ByName[name] = 400;
        }

        foreach (var name in NotFound)
        {
            ByName[name] = 404;
        }
    }

    public static int Of(string? errorName) => errorName is not null && ByName.TryGetValue(errorName, out var status) ? status : 500;
}
