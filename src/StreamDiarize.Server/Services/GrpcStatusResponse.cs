// A gRPC answer written before any service runs (authentication, malformed requests): a trailers-only response whose status rides in the headers.
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace StreamDiarize.Server;

internal static class GrpcStatusResponse
{
    public static void Write(HttpContext context, StatusCode code, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }
}
