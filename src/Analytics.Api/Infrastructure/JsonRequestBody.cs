using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Infrastructure;

/// <summary>
/// Reads the JSON bodies of the service's own endpoints (keys, settings, forgetting, caps), so that a body that
/// cannot be read is answered in their error shape, where binding answered an empty 400. Only ingestion takes
/// gzip; elsewhere a content-encoded body is refused rather than read as if it were plain.
/// </summary>
internal static class JsonRequestBody
{
    /// <summary>The request's content coding when it is not identity, else null.</summary>
    public static string? ContentEncoding(HttpRequest request) =>
        request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase)
            ? encoding
            : null;

    /// <summary>The message for a content-encoded body where only plain JSON is read.</summary>
    public static string EncodedBodyMessage(string encoding) =>
        $"the body must not be content-encoded (Content-Encoding: {encoding}); only POST /v1/events accepts gzip";

    /// <summary>The body as <typeparamref name="T"/> (null when empty), or the answer to give: 415 for an encoded body, 400 for one that is not such JSON.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context)
        where T : class
    {
        if (ContentEncoding(context.Request) is { } encoding)
        {
            context.Response.Headers.AcceptEncoding = "identity";
            return (null, ErrorResponse.Result(StatusCodes.Status415UnsupportedMediaType, EncodedBodyMessage(encoding)));
        }

        if (context.Request.ContentLength == 0)
        {
            return (null, null);
        }

        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted), null);
        }
        catch (JsonException ex)
        {
            return (null, ErrorResponse.Result(StatusCodes.Status400BadRequest, $"the body is not valid JSON for this endpoint: {ex.Message}"));
        }
    }
}
