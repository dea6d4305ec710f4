using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Analytics.Api.Infrastructure;

/// <summary>OpenAPI descriptions for what handlers read and write themselves.</summary>
internal static class OpenApiDocs
{
    /// <summary>
    /// Gives a property marked <see cref="System.ComponentModel.DataAnnotations.AllowedValuesAttribute"/> its
    /// <c>enum</c>: the generator documents lengths and ranges, but not the values a field allows.
    /// </summary>
    public static OpenApiOptions DocumentsAllowedValues(this OpenApiOptions options) =>
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.AllowedValuesAttribute), inherit: true)
                    is [System.ComponentModel.DataAnnotations.AllowedValuesAttribute allowed, ..])
            {
                schema.Enum = [.. allowed.Values.Select(v => (JsonNode)JsonValue.Create(v?.ToString())!)];
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Documents a JSON request body that the handler parses itself. <c>Accepts&lt;T&gt;</c> would do it too, but
    /// would also make routing refuse other content types with a bare 415 instead of the API's own error.
    /// </summary>
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder builder, bool required) =>
        builder.DocumentsBody<T>(required, "application/json");

    /// <summary>Documents a request body of <typeparamref name="T"/> under each of <paramref name="mediaTypes"/>.</summary>
    public static RouteHandlerBuilder DocumentsBody<T>(this RouteHandlerBuilder builder, bool required, params string[] mediaTypes) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = mediaTypes.ToDictionary(m => m, _ => new OpenApiMediaType { Schema = schema }),
            };
        });

    /// <summary>Gives parameters bound as text the type clients should send, and marks the required ones.</summary>
    public static RouteHandlerBuilder DocumentsParameters(this RouteHandlerBuilder builder, params (string Name, string Format, bool Required, string[]? Values)[] parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameters.FirstOrDefault(p => p.Name == parameter.Name) is not { Name: not null } spec)
                {
                    continue;
                }

                var item = new OpenApiSchema { Type = JsonSchemaType.String, Format = spec.Format.Length == 0 ? null : spec.Format };
                if (spec.Values is { } values)
                {
                    item.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
                }

                parameter.Required = spec.Required;
                parameter.Schema = parameter.Schema?.Type == JsonSchemaType.Array ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = item } : item;
            }

            return Task.CompletedTask;
        });

    /// <summary>Adds a plain-text alternative (such as CSV) to the 200 answer.</summary>
    public static RouteHandlerBuilder DocumentsTextAlternative(this RouteHandlerBuilder builder, string mediaType, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content is { } content)
            {
                content[mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = description } };
            }

            return Task.CompletedTask;
        });
}
