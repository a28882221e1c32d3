// The browser microphone's WebSocket (/api/diarize) under the rules of gRPC Diarize, on the real daemon: admission
// control, session quotas, the rate limit per message, API keys and the idle timeout refuse or end a socket as they do
// a gRPC call, and the browser learns why from the close frame (code and reason) and the error message before it.
using System.Net;
using System.Net.WebSockets;
using Grpc.Core;
using StreamDiarize.Protocol.V1;
using static StreamDiarize.Server.Tests.WebSocketDiarizeTests;

namespace StreamDiarize.Server.Tests;

public sealed class WebSocketProtectionTests
{
    private const string KeyA = "socket-alpha-key";
    private const string KeyB = "socket-bravo-key";

    /// <summary>WebSocket close code 1013, "try again later" (RFC 6455 registry): the server is overloaded.</summary>
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private static readonly (string, string)[] TwoTenants =
    [
        ("Server:Auth:Keys:a:Sha256", AuthTests.Hash(KeyA)), ("Server:Auth:Keys:a:Tenant", "alpha"),
        ("Server:Auth:Keys:b:Sha256", AuthTests.Hash(KeyB)), ("Server:Auth:Keys:b:Tenant", "bravo"),
    ];

    private const string Config = """{"format":{"encoding":"PCM_F32LE","sampleRateHz":16000,"channels":1}}""";

    private static string ConfigWithId(string id) => Config[..^1] + $$""","sessionId":"{{id}}"}""";

    /// <summary>Sends the config as the page does on open; a socket the server has already refused may not take it.</summary>
    private static async Task SendConfigQuietly(WebSocket socket, string config = Config)
    {
        try
        {
            await SendTextAsync(socket, config);
        }
        catch (WebSocketException)
        {
            // Refused before the config: the close frame, read next, says why.
        }
    }

    private static Task<ClientWebSocket> ConnectAs(DaemonHost daemon, string? key) => ConnectAsync(daemon, o =>
    {
        if (key is not null)
        {
            o.Cookies = new CookieContainer();
            o.Cookies.Add(new Uri($"http://127.0.0.1:{daemon.HttpPort}/"), new Cookie(Security.ApiKeyAuthentication.CookieName, key));
        }
    });

    private static async Task SendNoise(WebSocket socket, double seconds)
    {
        var samples = TestAudio.Noise(seconds).Samples;
        for (int start = 0; start < samples.Length; start += 1600)
        {
            var chunk = samples.AsSpan(start, Math.Min(1600, samples.Length - start));
            await socket.SendAsync(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk).ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        }
    }

    private static string Error(Outcome outcome, string code)
    {
        var error = Assert.Single(outcome.Kind("error"));
        Assert.Equal(code, (string?)error["code"]);
        string message = (string)error["message"]!;
        Assert.StartsWith(outcome.Reason!.TrimEnd('…'), message, StringComparison.Ordinal);
        return message;
    }

    [Fact]
    public async Task At_capacity_a_socket_is_closed_with_try_again_later_and_the_words_a_grpc_call_gets()
    {
        await using var daemon = await DaemonHost.StartAsync(new AdmissionTests.SlowSessionFactory(TimeSpan.FromMilliseconds(20)), AdmissionTests.TightAdmission);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        using var slow = daemon.Client.Diarize();
        await TestAudio.SendAsync(slow.RequestStream, TestAudio.Noise(6), TestAudio.F32Config("slow"), complete: false);
        var reading = TestAudio.ReadAllAsync(slow.ResponseStream);
        await AdmissionTests.PollReadyz(http, until: r => r.StatusCode == HttpStatusCode.ServiceUnavailable);

        using var socket = await ConnectAsync(daemon);
        await SendConfigQuietly(socket);
        var outcome = await ReadToCloseAsync(socket);
        using var call = daemon.Client.Diarize();
        var grpc = await TestAudio.RefusalAsync(call, TestAudio.F32Config("grpc"));

        Assert.True(outcome.Close == TryAgainLater, outcome.ToString());
        string message = Error(outcome, "UNAVAILABLE");
        Assert.Contains("the server is at capacity", outcome.Reason);
        Assert.Contains("retry in a few seconds", message);
        Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
        // The same words, except the lag measured at each refusal ("its sessions run 0.85 s behind real time").
        static string WithoutLag(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"run [0-9.]+ s behind", "run N s behind");
        Assert.Equal(WithoutLag(grpc.Status.Detail), WithoutLag(message));
        Assert.Contains("s behind real time", message);
        Assert.Empty(outcome.Kind("started"));
        Assert.Equal(1, daemon.Registry.Count);
        Assert.True(AdmissionTests.Metric(await http.GetStringAsync("/metrics"), "streamdiarize_refusals_total{reason=\"at_capacity\"}") >= 2);

        await slow.RequestStream.CompleteAsync();
        await reading;
    }

    [Fact]
    public async Task Sockets_and_grpc_calls_share_a_tenants_session_quota_and_the_socket_is_told_which_limit()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), [.. TwoTenants, ("Server:MaxSessionsPerTenant", "1")]);

        // A browser session holds alpha's one slot: alpha's gRPC call is refused, bravo's is not.
        using var browser = await ConnectAs(daemon, KeyA);
        await SendTextAsync(browser, ConfigWithId("browser"));
        await SendNoise(browser, 0.5);
        await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("alpha", "browser", out _));
        using var call = daemon.Client.Diarize(AuthTests.Bearer(KeyA));
        var grpc = await TestAudio.RefusalAsync(call, TestAudio.F32Config("grpc"));
        using var other = await AuthTests.OpenAs(daemon, KeyB, "bravo-1");
        await SendTextAsync(browser, """{"end":true}""");
        Assert.True((await ReadToCloseAsync(browser)).Close == WebSocketCloseStatus.NormalClosure);

        // A gRPC session holds it: alpha's second socket is closed with the quota's words.
        using var held = await AuthTests.OpenAs(daemon, KeyA, "held");
        using var second = await ConnectAs(daemon, KeyA);
        await SendTextAsync(second, ConfigWithId("second"));
        var outcome = await ReadToCloseAsync(second);

        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Contains("(Server:MaxSessionsPerTenant)", grpc.Status.Detail);
        Assert.True(outcome.Close == WebSocketCloseStatus.PolicyViolation, outcome.ToString());
        string message = Error(outcome, "RESOURCE_EXHAUSTED");
        Assert.Equal(grpc.Status.Detail, message);
        Assert.False(daemon.Registry.TryGet("alpha", "second", out _));
        await held.RequestStream.CompleteAsync();
        await other.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_socket_over_its_tenants_rate_ends_with_its_turns_and_the_next_socket_is_closed_with_the_reason()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(),
            [.. TwoTenants, ("Server:RateLimit:MessagesPerSecond", "20"), ("Server:RateLimit:BurstMessages", "30")]);
        using var flood = await ConnectAs(daemon, KeyA);
        var reading = ReadToCloseAsync(flood);
        await SendTextAsync(flood, ConfigWithId("flood"));
        try
        {
            // 5 s of audio in 100 ms chunks, as fast as the socket takes them: 50 messages against a burst of 30.
            await SendNoise(flood, 5);
        }
        catch (WebSocketException)
        {
            // The server ended the session at the limit; the rest is not wanted.
        }
        var outcome = await reading;

        // The bucket is empty now (it refills 20 a second: ask until a socket is refused at its opening).
        Outcome? refused = null;
        for (int i = 0; i < 100 && refused is null; i++)
        {
            using var next = await ConnectAs(daemon, KeyA);
            await SendConfigQuietly(next);
            // A socket that is let in ends at once: waiting for its idle timeout (30 s) let the bucket refill, so on a
            // loaded machine every later socket was let in too and the test ran past the 10-minute hang limit.
            await SendConfigQuietly(next, """{"end":true}""");
            var attempt = await ReadToCloseAsync(next);
            refused = attempt.Kind("started").Any() ? null : attempt;
        }
        using var calm = await ConnectAs(daemon, KeyB);
        await SendTextAsync(calm, ConfigWithId("calm"));
        await SendNoise(calm, 1);
        await SendTextAsync(calm, """{"end":true}""");
        var calmOutcome = await ReadToCloseAsync(calm);

        Assert.True(outcome.Close == WebSocketCloseStatus.PolicyViolation, outcome.ToString());
        string message = Error(outcome, "RESOURCE_EXHAUSTED");
        Assert.Contains("more than 20 messages a second (Server:RateLimit:MessagesPerSecond, burst 30)", message);
        Assert.Equal("RateLimited", (string?)Assert.Single(outcome.Kind("ended"))["reason"]);
        // The scripted diarizer closes a turn every 0.5 s: the audio admitted before the limit keeps its turns.
        Assert.True(Assert.Single(outcome.Kind("turns"))["turns"]!.AsArray().Count >= 3, outcome.ToString());
        Assert.NotNull(refused);
        Assert.True(refused.Close == WebSocketCloseStatus.PolicyViolation, refused.ToString());
        Assert.Contains("Server:RateLimit:MessagesPerSecond", Error(refused, "RESOURCE_EXHAUSTED"));
        Assert.True(calmOutcome.Close == WebSocketCloseStatus.NormalClosure, calmOutcome.ToString());
    }

    [Fact]
    public async Task With_keys_a_socket_without_a_valid_one_is_closed_with_the_reason_and_where_to_sign_in()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), TwoTenants);

        using var none = await ConnectAs(daemon, key: null);
        await SendConfigQuietly(none);
        var noKey = await ReadToCloseAsync(none);
        using var wrong = await ConnectAs(daemon, "guess");
        await SendConfigQuietly(wrong);
        var wrongKey = await ReadToCloseAsync(wrong);

        Assert.True(noKey.Close == WebSocketCloseStatus.PolicyViolation, noKey.ToString());
        Assert.Contains("no API key", Error(noKey, "UNAUTHENTICATED"));
        Assert.Contains("/login", Error(noKey, "UNAUTHENTICATED"));
        Assert.True(wrongKey.Close == WebSocketCloseStatus.PolicyViolation, wrongKey.ToString());
        Assert.Contains("the API key is not valid", Error(wrongKey, "UNAUTHENTICATED"));
        Assert.Equal(0, daemon.Registry.Count);

        // Another site's page learns nothing: it is refused before the upgrade, key or not.
        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", "http://evil.example");
        foreign.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(new Uri($"ws://127.0.0.1:{daemon.HttpPort}/api/diarize"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.HttpStatusCode);
    }

    [Fact]
    public async Task A_socket_that_sends_no_config_and_one_that_sends_no_audio_are_ended_by_the_idle_timeout()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:IdleTimeoutSeconds", "1"));
        using var silent = await ConnectAsync(daemon);
        var noConfig = await ReadToCloseAsync(silent);
        using var configOnly = await ConnectAsync(daemon);
        await SendTextAsync(configOnly, ConfigWithId("quiet"));
        var noAudio = await ReadToCloseAsync(configOnly);

        Assert.True(noConfig.Close == WebSocketCloseStatus.PolicyViolation, noConfig.ToString());
        Assert.Contains("no SessionConfig arrived within 1 s of the call's start (Server:IdleTimeoutSeconds)", Error(noConfig, "DEADLINE_EXCEEDED"));
        Assert.True(noAudio.Close == WebSocketCloseStatus.PolicyViolation, noAudio.ToString());
        Assert.Contains("no audio arrived for 1 s (Server:IdleTimeoutSeconds)", Error(noAudio, "DEADLINE_EXCEEDED"));
        Assert.Equal("IdleTimeout", (string?)Assert.Single(noAudio.Kind("ended"))["reason"]);
        Assert.Equal(0, daemon.Registry.Count);
    }
}
