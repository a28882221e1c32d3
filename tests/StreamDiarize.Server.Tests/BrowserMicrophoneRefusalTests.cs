// The browser microphone refused, in a real browser: headless chromium presses Start on mic.html and the page must
// show the daemon's own words for the refusal (no key, at capacity), with the close code the socket got.
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Grpc.Core;

namespace StreamDiarize.Server.Tests;

public sealed class BrowserMicrophoneRefusalTests
{
    private sealed record Shown(string State, int? CloseCode, string? ErrorCode, string? SessionId, string Status, string StatusClass, string? LoginLink);

    private const string ReadShown = """
        ({ state: streamdiarizeMic.state, closeCode: streamdiarizeMic.closeCode,
           errorCode: streamdiarizeMic.error && streamdiarizeMic.error.code, sessionId: streamdiarizeMic.sessionId,
           status: document.getElementById('mic-status').textContent, statusClass: document.getElementById('mic-status').className,
           loginLink: document.getElementById('login') && document.getElementById('login').getAttribute('href') })
        """;

    /// <summary>Opens mic.html with chromium's fake microphone, presses Start, and returns what the page shows once the session has ended.</summary>
    private static async Task<Shown> PressStartUntilEnded(DaemonHost daemon)
    {
        await using var browser = await HeadlessChromium.OpenAsync($"http://127.0.0.1:{daemon.HttpPort}/mic.html",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream");
        var clock = Stopwatch.StartNew();
        while (!(await browser.EvaluateAsync("document.readyState === 'complete' && !!window.streamdiarizeMic && streamdiarizeMic.state === 'idle'")).GetBoolean())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the page did not get ready in 30 s");
            await Task.Delay(100);
        }
        // A real click would carry user activation, which an AudioContext needs to run: so does this one.
        await browser.SendAsync("Runtime.evaluate", new { expression = "document.getElementById('start').click()", userGesture = true });
        Shown shown;
        while ((shown = (await browser.EvaluateAsync(ReadShown)).Deserialize<Shown>(JsonSerializerOptions.Web)!).State != "ended" || shown.CloseCode is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the page did not end in 60 s: {shown}; start button disabled: " +
                (await browser.EvaluateAsync("document.getElementById('start').disabled")).GetBoolean());
            await Task.Delay(100);
        }
        return shown;
    }

    [SkippableFact]
    public async Task Without_an_api_key_the_page_says_so_and_links_to_the_key_form()
    {
        HeadlessChromium.Require();
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(),
            ("Server:Auth:Keys:w:Sha256", AuthTests.Hash("browser-key-0123")), ("Server:Auth:Keys:w:Tenant", "web"));

        var shown = await PressStartUntilEnded(daemon);

        Assert.Equal(1008, shown.CloseCode);
        Assert.Equal("UNAUTHENTICATED", shown.ErrorCode);
        Assert.StartsWith("This daemon needs an API key. No API key:", shown.Status, StringComparison.Ordinal);
        Assert.Contains("the web page asks for it at /login", shown.Status, StringComparison.Ordinal);
        Assert.Equal("notice", shown.StatusClass);
        Assert.Equal("login", shown.LoginLink);
        Assert.Null(shown.SessionId);
        Assert.Equal(0, daemon.Registry.Count);
    }

    [SkippableFact]
    public async Task At_capacity_the_page_shows_the_daemons_reason_and_that_it_should_retry()
    {
        HeadlessChromium.Require();
        // A session slower than real time (AdmissionTests) holds the daemon at capacity while the browser asks.
        await using var daemon = await DaemonHost.StartAsync(new AdmissionTests.SlowSessionFactory(TimeSpan.FromMilliseconds(20)), AdmissionTests.TightAdmission);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        using var stop = new CancellationTokenSource();
        using var slow = daemon.Client.Diarize(cancellationToken: stop.Token);
        // 30 s of audio at half real-time speed: at capacity for far longer than the browser needs to press Start.
        // (Sent in the background: flow control holds the sender back as the session falls behind.)
        var sending = Task.Run(async () =>
        {
            try
            {
                await TestAudio.SendAsync(slow.RequestStream, TestAudio.Noise(30), TestAudio.F32Config("slow"), complete: false, stop.Token);
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException)
            {
                // The test ends the slow session by cancelling it.
            }
        });
        await AdmissionTests.PollReadyz(http, until: r => r.StatusCode == HttpStatusCode.ServiceUnavailable);

        var shown = await PressStartUntilEnded(daemon);
        string metrics = await http.GetStringAsync("/metrics");

        Assert.Equal(1013, shown.CloseCode);
        Assert.Equal("UNAVAILABLE", shown.ErrorCode);
        Assert.StartsWith("The daemon cannot take a new session now. The server is at capacity", shown.Status, StringComparison.Ordinal);
        Assert.Contains("retry in a few seconds", shown.Status, StringComparison.Ordinal);
        Assert.Null(shown.LoginLink);
        Assert.Null(shown.SessionId);
        Assert.Equal(1, daemon.Registry.Count);
        Assert.True(AdmissionTests.Metric(metrics, "streamdiarize_refusals_total{reason=\"at_capacity\"}") >= 1, metrics);
        await stop.CancelAsync();
        await sending;
    }
}
