// Answers written before any service runs (authentication, the rate limit, malformed requests), in the caller's own
// protocol: a gRPC status, a WebSocket close with its reason, or JSON with an HTTP status.
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamDiarize.Server.Web;

namespace StreamDiarize.Server;

internal static class GrpcStatusResponse
{
    /// <summary>True for a gRPC call (any application/grpc content type).</summary>
    public static bool IsGrpc(HttpRequest request) => request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    /// <summary>A trailers-only gRPC response whose status rides in the headers.</summary>
    public static void Write(HttpContext context, StatusCode code, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }

    /// <summary>
    /// Refuses the request with <paramref name="code"/> and <paramref name="message"/> however it came. A WebSocket is
    /// opened only to be closed with the reason: a browser is shown nothing of an HTTP refusal of its handshake (its
    /// close event says 1006 and no more), so the page could not tell the user what was wrong. HTTP gets JSON with the
    /// matching status; 429 (only the rate limit refuses with RESOURCE_EXHAUSTED here) says when to retry.
    /// </summary>
    public static Task RefuseAsync(HttpContext context, StatusCode code, string message)
    {
        if (IsGrpc(context.Request))
        {
            Write(context, code, message);
            return Task.CompletedTask;
        }
        if (context.WebSockets.IsWebSocketRequest)
        {
            return WebSocketDiarizeEndpoint.RefuseUpgradeAsync(context, new RpcException(new Status(code, message)));
        }
        context.Response.StatusCode = code switch
        {
            StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
            StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
            StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
            StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status500InternalServerError,
        };
        if (code == StatusCode.Unauthenticated)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        if (code == StatusCode.ResourceExhausted)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        return context.Response.WriteAsJsonAsync(new { error = message });
    }
}
