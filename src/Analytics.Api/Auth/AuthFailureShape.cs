namespace Analytics.Api.Auth;

/// <summary>
/// Endpoint metadata: how an API words a refused request (401 or 403, with a message) in its own error shape.
/// Endpoints without it answer with <see cref="Infrastructure.ErrorResponse"/>.
/// </summary>
public sealed record AuthFailureShape(Func<int, string, IResult> Render);
