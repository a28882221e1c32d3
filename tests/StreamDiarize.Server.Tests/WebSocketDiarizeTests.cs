// The browser microphone's WebSocket (/api/diarize) on the real daemon: a real clip in, the same turns as offline out;
// every kind of bad input ends with an error message and a close code and reason that say what was wrong.
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using StreamDiarize.Audio;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class WebSocketDiarizeTests
{
    /// <summary>What a client saw: every JSON message, and the close frame's code and reason.</summary>
    internal sealed record Outcome(List<JsonObject> Messages, WebSocketCloseStatus? Close, string? Reason)
    {
        public IEnumerable<JsonObject> Kind(string kind) => Messages.Where(m => (string?)m["kind"] == kind);

        public override string ToString() => $"close {Close} '{Reason}' after {string.Join(", ", Messages.Select(m => m["kind"]))}";
    }

    internal static async Task<ClientWebSocket> ConnectAsync(DaemonHost daemon, Action<ClientWebSocketOptions>? options = null)
    {
        var socket = new ClientWebSocket();
        options?.Invoke(socket.Options);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.HttpPort}/api/diarize"), CancellationToken.None);
        return socket;
    }

    internal static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Reads until the server closes (answering its close), failing after 60 s.</summary>
    internal static async Task<Outcome> ReadToCloseAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var messages = new List<JsonObject>();
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                }
                return new Outcome(messages, socket.CloseStatus, socket.CloseStatusDescription);
            }
            messages.Add(JsonNode.Parse(message.ToArray())!.AsObject());
        }
    }

    private static string Config(string encoding = "PCM_F32LE", int rate = 16000, string extra = "") =>
        $$"""{"format":{"encoding":"{{encoding}}","sampleRateHz":{{rate}},"channels":1}{{extra}}}""";

    private static byte[] F32(ReadOnlySpan<float> samples) => MemoryMarshal.AsBytes(samples).ToArray();

    [Fact]
    public async Task An_ami_clip_streamed_over_the_websocket_gets_events_then_its_final_turns_within_one_der_point_of_offline()
    {
        await using var daemon = await DaemonHost.StartAsync(factory: null);
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        using var socket = await ConnectAsync(daemon);
        await SendTextAsync(socket, Config(extra: ""","sessionId":"browser-1","includeProvisional":true"""));
        var reading = ReadToCloseAsync(socket);
        for (int start = 0; start < clip.Samples.Length; start += 1600)
        {
            await socket.SendAsync(F32(clip.Samples.AsSpan(start, Math.Min(1600, clip.Samples.Length - start))), WebSocketMessageType.Binary, true, CancellationToken.None);
            if (start == 16000 * 5)
            {
                // A live session like any other: listed, with its source.
                // (The sends only fill socket buffers: wait until the server has read the config and registered it.)
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var list = await daemon.Client.ListSessionsAsync(new ListSessionsRequest());
                while (!list.Sessions.Any(s => s.Id == "browser-1") && clock.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(50);
                    list = await daemon.Client.ListSessionsAsync(new ListSessionsRequest());
                }
                Assert.Equal("web", Assert.Single(list.Sessions, s => s.Id == "browser-1").Source);
            }
        }
        await SendTextAsync(socket, WebSocketRequestReaderEnd);
        var outcome = await reading;

        Assert.True(outcome.Close == WebSocketCloseStatus.NormalClosure, outcome.ToString());
        Assert.Equal("session ended", outcome.Reason);
        Assert.Equal("browser-1", (string?)outcome.Messages[0]["sessionId"]);
        Assert.Equal("AudioEnded", (string?)Assert.Single(outcome.Kind("ended"))["reason"]);
        Assert.Contains(outcome.Kind("segment"), m => (bool)m["final"]!);
        Assert.Equal("turns", (string?)outcome.Messages[^1]["kind"]);
        var turns = outcome.Messages[^1]["turns"]!.AsArray()
            .Select(t => new SpeakerSegment((double)t!["start"]!, (double)t["end"]!, (string)t["speaker"]!)).ToList();
        var offline = await TestAudio.OfflineFinalSegments(IntegrationFactory.Default(), clip);
        Assert.NotEmpty(offline);
        double der = DerScorer.Score("dev00", offline, turns).Der;
        Assert.True(der < 0.01, $"DER of the WebSocket turns against offline is {der:P2}: the transport changed the result");
        Assert.Equal(0, daemon.Registry.Count);
    }

    private const string WebSocketRequestReaderEnd = """{"end":true}""";

    public static TheoryData<string, string, WebSocketCloseStatus, string> BadInputs => new()
    {
        // name, what is sent (config | binary: | text after a good config), close code, words the reason must hold
        { "audio before the config", "binary:", WebSocketCloseStatus.InvalidMessageType, "the first message must be the session config as JSON text" },
        { "not JSON", "text:hello", WebSocketCloseStatus.InvalidPayloadData, "the first message is not a SessionConfig in JSON" },
        { "a misspelt field", """text:{"format":{"encoding":"PCM_S16LE","sampleRate":16000,"channels":1}}""", WebSocketCloseStatus.InvalidPayloadData, "not a SessionConfig in JSON" },
        { "a bad rate", "text:" + Config(rate: 0), WebSocketCloseStatus.InvalidPayloadData, "format.sample_rate_hz" },
        { "other text after the config", "after:stop please", WebSocketCloseStatus.InvalidMessageType, "text messages may only be {\"end\":true}" },
        { "half a sample", "odd:", WebSocketCloseStatus.InvalidPayloadData, "not a whole number of PCM_F32LE frames" },
        { "a message over the limit", "big:", WebSocketCloseStatus.MessageTooBig, "over the limit of 65536 bytes (Server:MaxMessageBytes)" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_an_error_message_and_a_close_whose_code_and_reason_say_what_was_wrong(string name, string send, WebSocketCloseStatus code, string reason)
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:MaxMessageBytes", "65536"));
        using var socket = await ConnectAsync(daemon);
        var reading = ReadToCloseAsync(socket);
        string kind = send[..send.IndexOf(':', StringComparison.Ordinal)];
        string body = send[(kind.Length + 1)..];
        switch (kind)
        {
            case "binary":
                await socket.SendAsync(new byte[3200], WebSocketMessageType.Binary, true, CancellationToken.None);
                break;
            case "text":
                await SendTextAsync(socket, body);
                break;
            default:
                await SendTextAsync(socket, Config());
                await socket.SendAsync(F32(new float[1600]), WebSocketMessageType.Binary, true, CancellationToken.None);
                if (kind == "after")
                {
                    await SendTextAsync(socket, body);
                }
                else
                {
                    // Half a float; or 100,000 bytes in 1,000-byte frames of one message, so the limit holds across frames.
                    int size = kind == "odd" ? 6 : 1000;
                    try
                    {
                        for (int i = 0; i < (kind == "odd" ? 1 : 100); i++)
                        {
                            await socket.SendAsync(new byte[size], WebSocketMessageType.Binary, kind == "odd" || i == 99, CancellationToken.None);
                        }
                    }
                    catch (WebSocketException) when (kind == "big")
                    {
                        // The server closed at the limit while frames were still going out (a loaded machine lets the
                        // reader answer its close first): the close it sent is what is checked.
                    }
                }
                break;
        }
        var outcome = await reading;

        Assert.True(outcome.Close == code, $"{name}: {outcome}");
        Assert.Contains(reason, outcome.Reason, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(outcome.Reason!) <= 123, outcome.Reason);
        var error = Assert.Single(outcome.Kind("error"));
        Assert.StartsWith(outcome.Reason!.TrimEnd('…'), (string)error["message"]!, StringComparison.Ordinal);
        await TestAudio.WaitForAsync(() => daemon.Registry.Count == 0);
    }

    [Fact]
    public async Task A_frame_that_breaks_the_websocket_protocol_ends_the_connection_and_its_session_while_the_daemon_serves_on()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, daemon.HttpPort);
        var stream = tcp.GetStream();
        string handshake = $"GET /api/diarize HTTP/1.1\r\nHost: 127.0.0.1:{daemon.HttpPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(handshake));
        var buffer = new byte[4096];
        int n = await stream.ReadAsync(buffer);
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
        await stream.WriteAsync(MaskedFrame(0x1, Encoding.UTF8.GetBytes(Config(extra: ""","sessionId":"broken" """))));
        await stream.WriteAsync(MaskedFrame(0x2, new byte[3200]));
        await TestAudio.WaitForAsync(() => daemon.Registry.Count == 1);
        // The reserved opcode 0x3 means nothing in the protocol.
        await stream.WriteAsync(MaskedFrame(0x3, []));

        // The runtime's WebSocket answers a broken frame itself: a close frame with 1002 (protocol error), or a reset.
        int closeCode = 0;
        try
        {
            int read;
            var received = new MemoryStream();
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20))) > 0)
            {
                received.Write(buffer, 0, read);
            }
            var bytes = received.ToArray();
            int at = Array.FindIndex(bytes, b => b == 0x88);
            closeCode = at >= 0 && bytes.Length >= at + 4 ? bytes[at + 2] << 8 | bytes[at + 3] : 0;
        }
        catch (IOException)
        {
            closeCode = -1; // reset
        }
        Assert.True(closeCode is -1 or (int)WebSocketCloseStatus.ProtocolError, $"close code {closeCode}");
        await TestAudio.WaitForAsync(() => daemon.Registry.Count == 0);
        using var next = await ConnectAsync(daemon);
        Assert.Equal(WebSocketState.Open, next.State);
    }

    private static byte[] MaskedFrame(byte opcode, byte[] payload)
    {
        var header = new List<byte> { (byte)(0x80 | opcode) };
        if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            header.AddRange([0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        byte[] mask = [0x11, 0x22, 0x33, 0x44];
        header.AddRange(mask);
        return [.. header, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))];
    }

    [Fact]
    public async Task A_page_of_another_origin_is_refused_before_the_upgrade_and_a_plain_get_is_told_to_use_a_websocket()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.HttpPort}/api/diarize"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);

        using var http = new HttpClient();
        var plain = await http.GetAsync($"http://127.0.0.1:{daemon.HttpPort}/api/diarize");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("open it with a WebSocket", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Its own origin is welcome.
        using var own = await ConnectAsync(daemon, o => o.SetRequestHeader("Origin", $"http://127.0.0.1:{daemon.HttpPort}"));
        Assert.Equal(WebSocketState.Open, own.State);
    }

    [Fact]
    public async Task With_api_keys_the_login_cookie_or_a_bearer_header_admits_the_socket_and_the_session_is_the_keys_tenants()
    {
        // (A socket without a valid key: WebSocketProtectionTests.)
        const string key = "web-key-0123456789";
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(),
            ("Server:Auth:Keys:w:Sha256", AuthTests.Hash(key)), ("Server:Auth:Keys:w:Tenant", "webtenant"));

        // The page sends the login cookie; a script sends the bearer header. Both name the key.
        using var socket = await ConnectAsync(daemon, o => o.Cookies = CookieFor(daemon, key));
        using var script = await ConnectAsync(daemon, o => o.SetRequestHeader("Authorization", "Bearer " + key));
        await SendTextAsync(socket, Config(extra: ""","sessionId":"tenant-room" """));
        await socket.SendAsync(F32(new float[16000]), WebSocketMessageType.Binary, true, CancellationToken.None);
        await SendTextAsync(script, Config(extra: ""","sessionId":"tenant-script" """));
        await TestAudio.WaitForAsync(() => daemon.Registry.Count == 2);
        Assert.True(daemon.Registry.TryGet("webtenant", "tenant-room", out _));
        Assert.True(daemon.Registry.TryGet("webtenant", "tenant-script", out _));
        Assert.False(daemon.Registry.TryGet("", "tenant-room", out _));
        await SendTextAsync(socket, WebSocketRequestReaderEnd);
        await SendTextAsync(script, WebSocketRequestReaderEnd);
        var outcome = await ReadToCloseAsync(socket);
        var scripted = await ReadToCloseAsync(script);
        Assert.True(outcome.Close == WebSocketCloseStatus.NormalClosure, outcome.ToString());
        Assert.True(scripted.Close == WebSocketCloseStatus.NormalClosure, scripted.ToString());
    }

    private static CookieContainer CookieFor(DaemonHost daemon, string key)
    {
        var cookies = new CookieContainer();
        cookies.Add(new Uri($"http://127.0.0.1:{daemon.HttpPort}/"), new Cookie(Security.ApiKeyAuthentication.CookieName, key));
        return cookies;
    }
}
