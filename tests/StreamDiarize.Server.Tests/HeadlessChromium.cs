// Debian's chromium, headless, driven through the DevTools protocol over a WebSocket: how the tests look at the live page as a browser does.
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

/// <summary>
/// One chromium process with a fresh profile, opened on one URL. As root it needs --no-sandbox; the other flags keep it
/// off the network (no QUIC, updates, sync or background fetches) so it talks only to the daemon under test.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static IReadOnlyList<string> Flags { get; } =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--window-size=1600,900", "--remote-debugging-port=0",
    ];

    /// <summary>Skips locally, fails in CI, when chromium is missing.</summary>
    public static void Require()
    {
        if (File.Exists(Executable))
        {
            return;
        }
        const string problem = Executable + " is missing: apt-get install -y chromium";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true and " + problem);
        }
        Skip.If(true, problem);
    }

    /// <summary>Opens <paramref name="url"/>; <paramref name="extraFlags"/> add to <see cref="Flags"/> (a fake microphone, say).</summary>
    public static async Task<HeadlessChromium> OpenAsync(string url, params string[] extraFlags)
    {
        string profile = RepoPaths.NewTempDir();
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var flag in Flags.Concat(extraFlags))
        {
            start.ArgumentList.Add(flag);
        }
        start.ArgumentList.Add("--user-data-dir=" + profile);
        start.ArgumentList.Add(url);
        var process = Process.Start(start)!;
        // Drained so chromium never blocks on a full pipe; its D-Bus complaints are noise here.
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.AttachAsync(url);
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
        return browser;
    }

    private async Task AttachAsync(string url)
    {
        // With port 0 chromium picks a free port and writes it to DevToolsActivePort in the profile.
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length < 2)
        {
            Assert.False(_process.HasExited, $"chromium exited with {(_process.HasExited ? _process.ExitCode : 0)} before opening DevTools");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "chromium did not open DevTools in 30 s");
            await Task.Delay(100);
        }
        int port = int.Parse(File.ReadAllLines(portFile)[0], System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? socketUrl = null;
        while (socketUrl is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "chromium listed no page for " + url);
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            socketUrl = targets.FirstOrDefault(t => (string?)t!["type"] == "page" && ((string?)t["url"])?.StartsWith(url, StringComparison.Ordinal) == true)?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (socketUrl is null)
            {
                await Task.Delay(100);
            }
        }
        await _socket.ConnectAsync(new Uri(socketUrl), CancellationToken.None);
        // --window-size counts the (invisible) window frame; this makes the page itself 1600 x 900, a meeting-room screen.
        await SendAsync("Emulation.setDeviceMetricsOverride", new { width = 1600, height = 900, deviceScaleFactor = 1, mobile = false });
        // The page may still be loading when DevTools lists it (document.body null): tests read it only once it is parsed.
        while ((await EvaluateAsync("document.readyState")).GetString() == "loading" || !(await EvaluateAsync("document.body !== null")).GetBoolean())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the page did not load in 30 s: " + url);
            await Task.Delay(50);
        }
    }

    /// <summary>One DevTools command; events that arrive meanwhile are skipped.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters = null)
    {
        int id = ++_nextId;
        var request = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(request, WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            using var doc = JsonDocument.Parse(message.ToArray());
            if (doc.RootElement.TryGetProperty("id", out var replyId) && replyId.GetInt32() == id)
            {
                if (doc.RootElement.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"DevTools {method} failed: {error}");
                }
                return doc.RootElement.GetProperty("result").Clone();
            }
        }
    }

    /// <summary>The value of a JavaScript expression in the page (JSON-serialisable values only).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"the page threw evaluating {expression}: {exception}");
        }
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new { format = "png" });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A helper still closing a file; the temp folder is cleaned with the rest.
        }
    }
}
