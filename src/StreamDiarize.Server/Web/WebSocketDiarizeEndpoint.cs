// GET /api/diarize as a WebSocket: the browser microphone's way in. The socket carries a Diarize call, run by the
// same DiarizerService code as gRPC, so every limit, quota, tenant rule and log line applies unchanged.
using System.Net.WebSockets;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Server.Services;

namespace StreamDiarize.Server.Web;

/// <summary>
/// The protocol (docs/LIVE.md): a text SessionConfig in the proto's JSON form, binary PCM messages, the text
/// <c>{"end":true}</c>; back come the events as the live page's JSON, then <c>{"kind":"turns"}</c> with the final turns,
/// then a close. Every refusal is an <c>{"kind":"error"}</c> message with the whole text, then a close whose code
/// says the kind of problem and whose reason (at most 123 bytes) says what was wrong.
/// </summary>
public static class WebSocketDiarizeEndpoint
{
    public const string Path = "/api/diarize";

    /// <summary>The longest close reason the WebSocket protocol allows, in UTF-8 bytes.</summary>
    public const int MaxCloseReasonBytes = 123;

    public static void Map(IEndpointRouteBuilder routes) => routes.Map(Path, HandleAsync);

    private static async Task HandleAsync(HttpContext http, IOptions<ServerOptions> options, ILoggerFactory logs)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Results.Json(new { error = $"{Path} is the WebSocket form of Diarize: open it with a WebSocket (ws:// or wss://); docs/LIVE.md has the protocol" },
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var service = ActivatorUtilities.CreateInstance<DiarizerService>(http.RequestServices);
        using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var reader = new WebSocketRequestReader(socket, options.Value.MaxMessageBytes);
        var writer = new WebSocketEventWriter(socket);
        var ct = http.RequestAborted;
        try
        {
            await service.Diarize(reader, writer, new WebSocketCallContext(http)).ConfigureAwait(false);
            await writer.SendTurnsAsync(ct).ConfigureAwait(false);
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "session ended", ct).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            try
            {
                // A session ended at a limit still has its final turns, as over gRPC.
                if (writer.Started)
                {
                    await writer.SendTurnsAsync(ct).ConfigureAwait(false);
                }
                await RefuseAsync(socket, ex, ct).ConfigureAwait(false);
            }
            catch (Exception sendError) when (sendError is WebSocketException or OperationCanceledException or IOException)
            {
                logs.CreateLogger(typeof(WebSocketDiarizeEndpoint)).LogInformation("A WebSocket client left before its error was sent: {Error}", ex.Status.Detail);
            }
        }
        catch (Exception ex) when (ex is RpcException or WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away (closed the tab, lost the network): Diarize has ended and logged the session.
        }
        finally
        {
            // A receive may still be pending (a refusal before the client's next message, a close never answered):
            // the socket goes first, so nothing is written into the reader's pooled buffer once it is returned.
            socket.Abort();
            reader.Dispose();
        }
    }

    /// <summary>
    /// The refusal of a WebSocket request before Diarize runs (no API key, over the rate): the socket is opened so the
    /// browser can be told why (an HTTP status on the handshake never reaches a page's script), then closed.
    /// </summary>
    internal static async Task RefuseUpgradeAsync(HttpContext http, RpcException refusal)
    {
        using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        try
        {
            await RefuseAsync(socket, refusal, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client left first; it was refused either way.
        }
    }

    /// <summary>The whole refusal as an error message, then a close frame with its code and as much of it as fits.</summary>
    private static async Task RefuseAsync(WebSocket socket, RpcException refusal, CancellationToken ct)
    {
        await WebSocketEventWriter.SendErrorAsync(socket, refusal.StatusCode, refusal.Status.Detail, ct).ConfigureAwait(false);
        await CloseAsync(socket, CloseStatusOf(refusal), refusal.Status.Detail, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Browsers let any page open a WebSocket anywhere (no CORS): only pages served by this daemon may use its sockets.
    /// A page of another site is refused before the upgrade and before any other answer, so it learns nothing.
    /// </summary>
    internal static Task RefuseForeignOrigin(HttpContext http, RequestDelegate next)
    {
        if (http.WebSockets.IsWebSocketRequest && http.Request.Headers.Origin is { Count: > 0 } origin && !SameOrigin(origin.ToString(), http.Request))
        {
            return Results.Json(new { error = $"a WebSocket from the page at {Services.ClientText.Quote(origin.ToString())} is refused: only pages served by this daemon may stream audio to it" },
                statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(http);
        }
        return next(http);
    }

    private static bool SameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Scheme, request.IsHttps ? "https" : "http", StringComparison.OrdinalIgnoreCase);

    /// <summary>WebSocket close code 1013 (RFC 6455's registry: "try again later"), which .NET does not name.</summary>
    internal const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    /// <summary>
    /// The close code by the kind of problem: the message's type (1003), its content (1007), its size (1009), a limit,
    /// quota, missing key or idle timeout (1008), a server that takes no session now: at capacity, draining or
    /// stopping (1013, try again later), a server fault (1011).
    /// </summary>
    internal static WebSocketCloseStatus CloseStatusOf(RpcException ex) => ex switch
    {
        WebSocketInputException input => input.Close,
        _ => ex.StatusCode switch
        {
            StatusCode.InvalidArgument => WebSocketCloseStatus.InvalidPayloadData,
            StatusCode.Unavailable => TryAgainLater,
            StatusCode.Internal or StatusCode.Unknown or StatusCode.FailedPrecondition => WebSocketCloseStatus.InternalServerError,
            _ => WebSocketCloseStatus.PolicyViolation,
        },
    };

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason, CancellationToken ct)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            // A client that never answers the close frame does not hold the connection: 5 s, then it is dropped.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.CloseAsync(status, CloseReason(reason), timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary><paramref name="text"/> cut at a word to fit a close frame, with "…" when cut.</summary>
    internal static string CloseReason(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= MaxCloseReasonBytes)
        {
            return text;
        }
        const string more = "…"; // 3 bytes
        int end = text.Length;
        while (end > 0 && Encoding.UTF8.GetByteCount(text.AsSpan(0, end)) > MaxCloseReasonBytes - 3)
        {
            end = text.LastIndexOf(' ', end - 1) is int space and > 0 ? space : end - 1;
        }
        return text[..end].TrimEnd(':', ',', ';', ' ') + more;
    }
}
