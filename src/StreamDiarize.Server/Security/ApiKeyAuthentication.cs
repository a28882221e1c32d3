// Checks every request's API key (gRPC metadata, a bearer header or the page's cookie) and records its tenant; without
// keys configured it only keeps foreign Host headers off a loopback daemon (DNS rebinding from a browser page).
using Microsoft.AspNetCore.Http;
using StreamDiarize.Server.Metrics;

namespace StreamDiarize.Server.Security;

public static class ApiKeyAuthentication
{
    public const string CookieName = "streamdiarize_key";
    private const string TenantItem = "streamdiarize.tenant";

    /// <summary>The tenant the request acts for; "" when authentication is off.</summary>
    public static string TenantOf(HttpContext? context) => context?.Items[TenantItem] as string ?? "";

    /// <summary>The key a request carries: `authorization: Bearer KEY`, `x-api-key: KEY`, or the page's cookie.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        string authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        string apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0)
        {
            return apiKey.Trim();
        }
        return request.Cookies.TryGetValue(CookieName, out var cookie) ? cookie : null;
    }

    public static async Task InvokeAsync(HttpContext context, Func<Task> next, ApiKeyStore keys, ServerMetrics metrics, bool certificates = false)
    {
        if (!keys.Enabled)
        {
            if (!GrpcStatusResponse.IsGrpc(context.Request) && context.Connection.LocalIpAddress is { } local && System.Net.IPAddress.IsLoopback(local) && !AuthOptions.IsLoopback(context.Request.Host.Host))
            {
                // A browser page that rebinds its own name to 127.0.0.1 sends its own name as Host: refuse it.
                metrics.Refusals.WithLabels("foreign_host").Inc();
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("this daemon serves loopback only: open it as http://127.0.0.1 or http://localhost\n").ConfigureAwait(false);
                return;
            }
            await next().ConfigureAwait(false);
            return;
        }
        if (IsPublic(context.Request.Path))
        {
            await next().ConfigureAwait(false);
            return;
        }
        string? key = KeyOf(context.Request);
        string? tenant;
        string why;
        if (certificates && context.Connection.ClientCertificate is not null && key is null)
        {
            // mTLS: the certificate speaks for the caller, unless it also sends a key (which then decides).
            (tenant, why) = await ClientCertificateAuthentication.TenantOfAsync(context).ConfigureAwait(false);
        }
        else
        {
            tenant = keys.TenantOf(key);
            why = key is null
                ? "no API key: send it as metadata 'authorization: Bearer KEY' (or 'x-api-key: KEY')" + (certificates ? ", or connect with a client certificate the operator mapped to your tenant" : "") + "; the web page asks for it at /login"
                : "the API key is not valid (mistyped, or revoked): ask the daemon's operator for a key";
        }
        if (tenant is null)
        {
            metrics.Refusals.WithLabels("unauthenticated").Inc();
            await GrpcStatusResponse.RefuseAsync(context, Grpc.Core.StatusCode.Unauthenticated, why).ConfigureAwait(false);
            return;
        }
        context.Items[TenantItem] = tenant;
        await next().ConfigureAwait(false);
    }

    // Health for probes and load balancers; the page's static files and its login form hold no session data.
    private static bool IsPublic(PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health") || path == "/healthz" || path == "/readyz" || path == "/login" || path == "/"
        || (!path.StartsWithSegments("/api") && path.Value is { } p && p.LastIndexOf('/') == 0
            && (p.EndsWith(".html", StringComparison.Ordinal) || p.EndsWith(".js", StringComparison.Ordinal) || p.EndsWith(".css", StringComparison.Ordinal)));
}
