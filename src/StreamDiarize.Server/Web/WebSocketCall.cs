// A Diarize call carried by a WebSocket: the request reader, the response writer and the call context that let
// DiarizerService.Diarize run a browser's session exactly as it runs a gRPC one (limits, quotas, tenants, logs).
using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Web;

/// <summary>
/// A protocol error of the WebSocket form, with the close code it earns. Thrown as an <see cref="RpcException"/> so
/// Diarize ends the session with it as it would end a gRPC call with the same status.
/// </summary>
internal sealed class WebSocketInputException(StatusCode code, WebSocketCloseStatus close, string message)
    : RpcException(new Status(code, message))
{
    public WebSocketCloseStatus Close { get; } = close;
}

/// <summary>
/// Reads the socket as Diarize's request stream: the first message must be a text SessionConfig in the proto's JSON
/// form; then each binary message is one AudioChunk, and the text message <c>{"end":true}</c> (or the client's close)
/// is the half-close. One buffer of Server:MaxMessageBytes is reused for every message; a longer message is refused
/// before it is read whole.
/// </summary>
internal sealed class WebSocketRequestReader : IAsyncStreamReader<DiarizeRequest>, IDisposable
{
    public const string EndMessage = """{"end":true}""";
    public const string ConfigExample = """{"format":{"encoding":"PCM_S16LE","sampleRateHz":16000,"channels":1}}""";

    // Unknown JSON fields are refused: a misspelt "sampleRate" must not silently become the default.
    private static readonly JsonParser ConfigParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    private readonly WebSocket _socket;
    private readonly int _maxMessageBytes;
    private readonly byte[] _buffer;
    private readonly DiarizeRequest _audio = new() { Audio = new AudioChunk() };
    private bool _configRead;
    private bool _ended;

    public WebSocketRequestReader(WebSocket socket, int maxMessageBytes)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(maxMessageBytes);
    }

    public DiarizeRequest Current { get; private set; } = new();

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return false;
        }
        var (type, length) = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        if (type == WebSocketMessageType.Close)
        {
            _ended = true;
            return false;
        }
        if (!_configRead)
        {
            _configRead = true;
            Current = new DiarizeRequest { Config = ParseConfig(type, length) };
            return true;
        }
        if (type == WebSocketMessageType.Text)
        {
            if (!IsEnd(length))
            {
                throw new WebSocketInputException(StatusCode.InvalidArgument, WebSocketCloseStatus.InvalidMessageType,
                    $"after the config, text messages may only be {EndMessage} (the end of the audio): send audio as binary messages");
            }
            _ended = true;
            return false;
        }
        // Diarize decodes the chunk before it reads the next message, so the buffer can be lent rather than copied.
        _audio.Audio.Data = UnsafeByteOperations.UnsafeWrap(_buffer.AsMemory(0, length));
        Current = _audio;
        return true;
    }

    private async Task<(WebSocketMessageType Type, int Length)> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        int filled = 0;
        while (true)
        {
            ValueWebSocketReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(_buffer.AsMemory(filled, _maxMessageBytes - filled), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException ex)
            {
                // A broken frame or a dropped connection: the runtime has already answered the client with the close
                // code the WebSocket protocol prescribes. Diarize ends an IOException'd call as cancelled by the client.
                throw new IOException("the WebSocket failed: " + ex.Message, ex);
            }
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, 0);
            }
            filled += received.Count;
            if (received.EndOfMessage)
            {
                return (received.MessageType, filled);
            }
            if (filled == _maxMessageBytes)
            {
                throw new WebSocketInputException(StatusCode.ResourceExhausted, WebSocketCloseStatus.MessageTooBig,
                    $"message over the limit of {_maxMessageBytes} bytes (Server:MaxMessageBytes): send audio in chunks of about 100 ms");
            }
        }
    }

    private SessionConfig ParseConfig(WebSocketMessageType type, int length)
    {
        if (type != WebSocketMessageType.Text)
        {
            throw new WebSocketInputException(StatusCode.InvalidArgument, WebSocketCloseStatus.InvalidMessageType,
                "the first message must be the session config as JSON text, not binary audio: send e.g. " + ConfigExample);
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(_buffer, 0, length);
            return ConfigParser.Parse<SessionConfig>(text);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or DecoderFallbackException)
        {
            throw new WebSocketInputException(StatusCode.InvalidArgument, WebSocketCloseStatus.InvalidPayloadData,
                $"the first message is not a SessionConfig in JSON ({ClipProblem(ex.Message)}): send e.g. {ConfigExample}");
        }
    }

    private bool IsEnd(int length)
    {
        try
        {
            using var doc = JsonDocument.Parse(_buffer.AsMemory(0, length));
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("end", out var end) && end.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Parser messages can quote the client's text; keep them short and printable.
    private static string ClipProblem(string message) => Services.ClientText.Quote(message).Trim('\'');

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}

/// <summary>
/// Writes Diarize's events to the socket as the live page's JSON (<see cref="LiveEventJson"/>), one text message
/// each, and keeps the session's turns in a <see cref="SegmentLedger"/> so the end can send them whole. Diarize's
/// <c>ResponseEventWriter</c> is its only caller, so one send is pending at a time.
/// </summary>
internal sealed class WebSocketEventWriter(WebSocket socket) : IServerStreamWriter<DiarizeEvent>
{
    private readonly SegmentLedger _ledger = new();

    public WriteOptions? WriteOptions { get; set; }

    /// <summary>True once the session started (its config was accepted).</summary>
    public bool Started { get; private set; }

    public Task WriteAsync(DiarizeEvent message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(DiarizeEvent message, CancellationToken cancellationToken)
    {
        Started |= message.EventCase == DiarizeEvent.EventOneofCase.SessionStarted;
        if (EventMapping.ToCore(message) is { } core)
        {
            _ledger.Apply(core);
        }
        await SendAsync(LiveEventJson.ToJson(message).ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The final turns after every Relabel and Merge, as the client's ledger would hold them.</summary>
    public Task SendTurnsAsync(CancellationToken cancellationToken)
    {
        var turns = new System.Text.Json.Nodes.JsonArray();
        foreach (var s in _ledger.Snapshot(includeProvisional: false))
        {
            turns.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["start"] = Math.Round(s.StartSeconds, 3),
                ["end"] = Math.Round(s.EndSeconds, 3),
                ["speaker"] = s.Speaker,
            });
        }
        return SendAsync(new System.Text.Json.Nodes.JsonObject { ["kind"] = "turns", ["turns"] = turns }.ToJsonString(), cancellationToken);
    }

    /// <summary>The whole error, before the close frame carries its first 123 bytes.</summary>
    public static Task SendErrorAsync(WebSocket socket, StatusCode code, string message, CancellationToken cancellationToken) =>
        SendAsync(socket, new System.Text.Json.Nodes.JsonObject { ["kind"] = "error", ["code"] = CodeName(code), ["message"] = message }.ToJsonString(), cancellationToken);

    private Task SendAsync(string json, CancellationToken cancellationToken) => SendAsync(socket, json, cancellationToken);

    private static async Task SendAsync(WebSocket socket, string json, CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The gRPC name of a status code (INVALID_ARGUMENT), as gRPC clients print it.</summary>
    public static string CodeName(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}

/// <summary>
/// The call context Diarize sees: the HTTP request's cancellation, peer and <see cref="HttpContext"/> (through the
/// user-state key grpc-dotnet's GetHttpContext reads), so the tenant the cookie or bearer key proved applies.
/// </summary>
internal sealed class WebSocketCallContext : ServerCallContext
{
    /// <summary>The UserState key Diarize reads the session's source from ("web" here).</summary>
    public const string SourceKey = "streamdiarize.source";

    private readonly HttpContext _http;
    private readonly Metadata _trailers = new();

    public WebSocketCallContext(HttpContext http)
    {
        _http = http;
        UserState["__HttpContext"] = http;
        UserState[SourceKey] = "web";
    }

    protected override string MethodCore => "/streamdiarize.v1.Diarizer/Diarize";

    protected override string HostCore => _http.Request.Host.Value ?? "";

    protected override string PeerCore => $"websocket:{_http.Connection.RemoteIpAddress}:{_http.Connection.RemotePort}";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; } = new();

    protected override CancellationToken CancellationTokenCore => _http.RequestAborted;

    protected override Metadata ResponseTrailersCore => _trailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, new Dictionary<string, List<AuthProperty>>());

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("a WebSocket session cannot propagate its call");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
