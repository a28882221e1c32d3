// The live web timeline on the HTTP/1.1 endpoint: the session list and each session's events as Server-Sent Events, and the page itself.
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Security;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Web;

/// <summary>
/// GET /api/sessions, GET /api/sessions/{id}/events (text/event-stream), and the embedded page at / and /session.html.
/// The event stream is a watcher like any Watch call: it subscribes through the session's broadcaster, so a slow
/// browser loses its oldest events (and is told with a "dropped" event) instead of slowing the session.
/// </summary>
public static class LiveWebEndpoints
{
    public static void MapLiveWeb(IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<ServerOptions>>().Value;
        var web = routes.MapGroup("");
        // The gRPC port speaks HTTP/2 only; keep the page and its API off it so it stays a pure gRPC endpoint.
        web.AddEndpointFilter(async (context, next) =>
            options.GrpcPort != 0 && context.HttpContext.Connection.LocalPort == options.GrpcPort ? Results.NotFound() : await next(context));

        // What the pages need to know of the daemon: the gRPC port to show in commands (the page's own host, this port).
        web.MapGet("/api/server", () => Results.Json(new JsonObject { ["grpcPort"] = options.GrpcPort, ["tls"] = options.Tls.Enabled }));
        web.MapGet("/api/sessions", (HttpContext http, SessionLocator locator) => Results.Json(SessionList(locator, ApiKeyAuthentication.TenantOf(http))));
        web.MapGet("/api/sessions/{id}/events", Events);
        WebSocketDiarizeEndpoint.Map(web);
        web.MapGet("/login", (HttpContext http) => Serve(http, "/login.html"));
        web.MapPost("/login", Login).DisableAntiforgery();
        web.MapGet("/", (HttpContext http) => Serve(http, "/index.html"));
        web.MapGet("/{file}", (HttpContext http, string file) => Serve(http, "/" + file));
    }

    private static JsonArray SessionList(SessionLocator locator, string tenant)
    {
        var list = new JsonArray();
        foreach (var s in locator.List(tenant))
        {
            list.Add(new JsonObject
            {
                ["id"] = s.Id,
                ["startTime"] = s.StartTime,
                ["audioSeconds"] = Math.Round(s.AudioSeconds, 3),
                ["speakers"] = s.Speakers,
                ["source"] = s.Source,
                ["watchers"] = s.Watchers,
                ["replica"] = s.Replica,
            });
        }
        return list;
    }

    private static async Task<IResult> Events(string id, HttpContext http, SessionLocator locator, IOptions<ServerOptions> options, ServerMetrics metrics, CancellationToken ct)
    {
        string tenant = ApiKeyAuthentication.TenantOf(http);
        var session = await locator.FindAsync(tenant, id, ct).ConfigureAwait(false);
        if (session is null)
        {
            return NoSession(id, "is not live");
        }
        if (locator.WatchersOf(tenant) >= options.Value.MaxWatchersPerTenant)
        {
            metrics.Refusals.WithLabels("watcher_quota").Inc();
            return Results.Json(new JsonObject { ["error"] = $"your tenant has its limit of {options.Value.MaxWatchersPerTenant} watchers open (Server:MaxWatchersPerTenant): close a page" },
                statusCode: StatusCodes.Status429TooManyRequests);
        }
        // Replay the final turns so a page opened mid-meeting starts with the whole past, then follows live.
        var watcher = session.Subscribe(options.Value.WatcherBufferEvents, replayFinalSegments: true, () => metrics.WatcherEventsDropped.Inc());
        return watcher is null ? NoSession(id, "has just ended") : Results.ServerSentEvents(Stream(session, watcher, ct));
    }

    private static IResult NoSession(string id, string why) => Results.Json(
        new JsonObject { ["error"] = $"session {Services.ClientText.Quote(id)} {why}: GET /api/sessions lists the ids of running sessions" },
        statusCode: StatusCodes.Status404NotFound);

    private static async IAsyncEnumerable<string> Stream(LiveSession session, Watcher watcher, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await foreach (var e in watcher.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (Dropped(watcher, e.StreamTimeSeconds) is { } dropped)
                {
                    yield return dropped;
                }
                yield return LiveEventJson.ToJson(e).ToJsonString();
            }
            if (Dropped(watcher, 0) is { } last)
            {
                yield return last;
            }
        }
        finally
        {
            session.Unsubscribe(watcher);
        }
    }

    private static string? Dropped(Watcher watcher, double streamTime)
    {
        long count = watcher.TakeDropped();
        return count == 0 ? null : LiveEventJson.ToJson(new DiarizeEvent { StreamTimeSeconds = streamTime, EventsDropped = new EventsDropped { Count = count } }).ToJsonString();
    }

    /// <summary>The login form posts the key; a valid one comes back as an HttpOnly cookie the page and its event streams send.</summary>
    private static async Task<IResult> Login(HttpContext http, ApiKeyStore keys)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        string key = form["key"].ToString().Trim();
        if (!keys.Enabled)
        {
            return Results.Redirect("/", permanent: false);
        }
        if (keys.TenantOf(key) is null)
        {
            return Results.Redirect("/login?failed=1", permanent: false);
        }
        http.Response.Cookies.Append(ApiKeyAuthentication.CookieName, key, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
        });
        return Results.Redirect("/", permanent: false);
    }

    private static IResult Serve(HttpContext http, string path)
    {
        if (!WebAssets.TryGet(path, out var asset))
        {
            return Results.NotFound();
        }
        // The page is small and changes with the daemon: revalidating every load costs nothing and never shows a stale script.
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
