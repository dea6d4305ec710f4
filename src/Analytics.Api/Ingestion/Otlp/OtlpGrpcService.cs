using Analytics.Api.Auth;
using Analytics.Api.Ingestion.Otlp.Proto;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Ingestion.Otlp;

/// <summary>
/// OTLP/gRPC's <c>TraceService/Export</c>: the same export as <c>POST /v1/traces</c>, for emitters that speak only
/// gRPC. The credential travels in the call's metadata as it would in HTTP headers (<c>authorization: Bearer ...</c>,
/// <c>x-api-key</c>, and <c>x-workspace-id</c> for the admin token). A refusal is a gRPC status: UNAUTHENTICATED,
/// PERMISSION_DENIED, INVALID_ARGUMENT; UNAVAILABLE (retryable, as OTLP defines it) for a full buffer or a store that
/// cannot take the export now; RESOURCE_EXHAUSTED (not retryable) for an export larger than the buffer.
/// </summary>
internal sealed class OtlpGrpcService(
    CredentialResolver credentials, EventWriter writer, TimeProvider time, IOptions<AnalyticsOptions> options, ILoggerFactory loggers)
    : TraceService.TraceServiceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        var credential = await credentials.ResolveAsync(http) ?? throw Refused(StatusCode.Unauthenticated, "missing or invalid credential");
        var workspace = IngestionApi.WorkspaceOf(credential, http.Request)
            ?? throw Refused(StatusCode.InvalidArgument, "the admin token acts for a workspace named in the x-workspace-id metadata");
        if (!credential.Has(Scopes.Ingest) || !credential.CanAccess(workspace))
        {
            throw Refused(StatusCode.PermissionDenied, "the credential may not ingest into this workspace");
        }

        var stored = await OtlpExportStore.StoreAsync(request, workspace, writer, time, options.Value.Ingestion, loggers);
        return stored.Response ?? throw Refused(
            stored.Status == StatusCodes.Status413PayloadTooLarge ? StatusCode.ResourceExhausted : StatusCode.Unavailable,
            stored.Message!);
    }

    private static RpcException Refused(StatusCode code, string message) => new(new Grpc.Core.Status(code, message));
}
