namespace Analytics.Api.Features.PromptStats;

/// <summary>The envelope's error codes (API.md, section A); 40050 is the vendor's own.</summary>
internal static class PromptStatsErrors
{
    public const int InvalidJson = 40001;
    public const int InvalidDate = 40002;
    public const int DatesReversed = 40003;
    public const int WindowTooLong = 40004;
    public const int TooManyIds = 40005;

    /// <summary>The top-templates API's limit is not an integer from 1 to 500.</summary>
    public const int InvalidLimit = 40006;
    public const int PromptIdsMissing = 40050;
    public const int Unauthorized = 40100;
    public const int Forbidden = 40300;
    public const int UnsupportedEncoding = 41500;

    /// <summary>The HTTP status that goes with a code: its first three digits.</summary>
    public static int Status(int code) => code / 100;
}
