// The browser microphone for real: headless chromium's fake capture device plays a meeting into mic.html, which
// streams it over the WebSocket; the page must show the session live and its final turns must score like the file's.
using System.Diagnostics;
using System.Text.Json;
using NAudio.Wave;
using StreamDiarize.Audio;
using StreamDiarize.Capture.Tests;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Server.Tests;

public sealed class BrowserMicrophoneTests(ITestOutputHelper output)
{
    private const string Id = "dev00";
    private const double LeadSeconds = 0;

    // Chromium plays the file in a loop: the clip is followed by enough silence that the page stops before it comes round.
    private const double TailSeconds = 30;

    private sealed record MicState(string State, string? SessionId, double SampleRateHz, double SamplesSent, int Turns, int? CloseCode, string? Error);

    private const string ReadState = """
        ({ state: streamdiarizeMic.state, sessionId: streamdiarizeMic.sessionId, sampleRateHz: streamdiarizeMic.sampleRateHz,
           samplesSent: streamdiarizeMic.samplesSent, turns: document.querySelectorAll('[data-turn]').length,
           closeCode: streamdiarizeMic.closeCode, error: streamdiarizeMic.error && streamdiarizeMic.error.message })
        """;

    [SkippableFact]
    public async Task The_page_streams_a_meeting_from_chromiums_fake_microphone_shows_its_timeline_live_and_scores_within_three_points_of_the_file_path()
    {
        HeadlessChromium.Require();
        var reference = AudioLoader.LoadWav(RepoPaths.Ami(Id + ".wav"));
        string device = Path.Combine(RepoPaths.NewTempDir(), "device.wav");
        WritePcm16(device, reference, LeadSeconds, TailSeconds);
        await using var daemon = await DaemonHost.StartAsync(factory: null);
        string url = $"http://127.0.0.1:{daemon.HttpPort}/mic.html";
        double wanted = LeadSeconds + reference.DurationSeconds + 2;
        var (browser, states, clock) = await StreamAsync(url, device, wanted);
        if (states[^1] is { State: "ended", SampleRateHz: > 0 } stalled && stalled.SamplesSent / stalled.SampleRateHz < 5)
        {
            // Chromium's fake capture device stopped delivering audio in its first seconds (a CI run saw it stall after
            // 1.5 s; the daemon then ended the idle session): that is the browser's fake device, not the page or the
            // daemon, so the test tries once more with a new browser.
            output.WriteLine($"chromium's fake microphone stalled ({stalled}); trying again with a new browser");
            await browser.DisposeAsync();
            (browser, states, clock) = await StreamAsync(url, device, wanted);
        }
        await using var _ = browser;
        Assert.True(states[^1].State == "live", $"the page is not streaming: {states[^1]}");
        await browser.EvaluateAsync("streamdiarizeMic.stop()");
        MicState last;
        while ((last = (await browser.EvaluateAsync(ReadState)).Deserialize<MicState>(JsonSerializerOptions.Web)!).State != "ended"
               || !(await browser.EvaluateAsync("streamdiarizeMic.turns !== null")).GetBoolean())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(wanted + 90), $"the session did not end: {last}");
            await Task.Delay(100);
        }

        Assert.Equal(1000, last.CloseCode);
        Assert.Null(last.Error);
        Assert.Equal(16000, last.SampleRateHz); // chromium resamples for us into a 16 kHz AudioContext
        // The timeline showed the session's turns while the microphone was still streaming.
        Assert.Contains(states, s => s.State == "live" && s.Turns > 0);
        Assert.True(await browser.EvaluateAsync("document.getElementById('rttm').hidden === false").ContinueWith(t => t.Result.GetBoolean()), "no RTTM offered");

        // Where the meeting starts in what the page sent: its kept audio aligned to the file.
        string sentPath = Path.Combine(Path.GetDirectoryName(device)!, "sent.wav");
        var pcm = Convert.FromBase64String((await browser.EvaluateAsync("streamdiarizeMic.audioBase64()")).GetString()!);
        using (var writer = new WaveFileWriter(sentPath, new WaveFormat((int)last.SampleRateHz, 16, 1)))
        {
            writer.Write(pcm, 0, pcm.Length);
        }
        var sent = AudioLoader.LoadWav(sentPath);
        // The page starts streaming once its AudioContext runs, by which time the device may have played the first
        // tenths of a second: the meeting can start before what was sent (negative offset) as well as after it.
        var later = AudioAlignment.Align(reference, sent, maxLagSeconds: 3);
        var earlier = AudioAlignment.Align(sent, reference, maxLagSeconds: 3);
        var alignment = later.NormalizedCorrelation >= earlier.NormalizedCorrelation ? later : earlier;
        double offset = (alignment == later ? later.LagSamples : -earlier.LagSamples) / 16000.0;
        var turns = (await browser.EvaluateAsync("streamdiarizeMic.turns")).EnumerateArray()
            .Select(t => new SpeakerSegment(t.GetProperty("start").GetDouble() - offset, t.GetProperty("end").GetDouble() - offset, t.GetProperty("speaker").GetString()!))
            .Where(s => s.EndSeconds > 0 && s.StartSeconds < reference.DurationSeconds)
            .ToList();

        var truth = Rttm.ReadFile(RepoPaths.Ami(Id + ".rttm"))[Id];
        var filePath = await TestAudio.OfflineFinalSegments(IntegrationFactory.Default(), reference);
        var options = new DerOptions { CollarSeconds = 0.25 };
        double browserDer = DerScorer.Score(Id, truth, turns, options).Der;
        double fileDer = DerScorer.Score(Id, truth, filePath, options).Der;
        output.WriteLine($"sent {sent.DurationSeconds:F1} s at {last.SampleRateHz} Hz; meeting at {offset:F3} s (correlation {alignment.NormalizedCorrelation:F3}); " +
                         $"DER browser {browserDer:P2}, file {fileDer:P2}");
        // Chromium loops the file and may start capturing inside it: then only the part on one side of the wrap aligns at
        // one lag (a CI run saw 0.664 with a DER 0.03 points from the file path's). Unrelated audio correlates near 0.
        Assert.True(alignment.NormalizedCorrelation > 0.5, $"the sent audio is not the meeting: correlation {alignment.NormalizedCorrelation:F3}");
        Assert.True(Math.Abs(browserDer - fileDer) <= 0.03, $"browser DER {browserDer:P2} vs file DER {fileDer:P2}");
    }

    /// <summary>
    /// Opens the page in a new headless Chromium whose fake microphone plays <paramref name="device"/>, starts streaming,
    /// and polls until <paramref name="wanted"/> seconds were sent or the page stops streaming (the last state says which).
    /// </summary>
    private static async Task<(HeadlessChromium Browser, List<MicState> States, Stopwatch Clock)> StreamAsync(string url, string device, double wanted)
    {
        var browser = await HeadlessChromium.OpenAsync(url,
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--use-file-for-fake-audio-capture=" + device);
        try
        {
            var clock = Stopwatch.StartNew();
            while (!(await browser.EvaluateAsync("document.readyState === 'complete' && !!window.streamdiarizeMic && streamdiarizeMic.state === 'idle'")).GetBoolean())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the page did not get ready in 30 s");
                await Task.Delay(100);
            }

            await browser.EvaluateAsync("document.getElementById('keep').checked = true");
            // A real click would carry user activation, which an AudioContext needs to run: so does this one.
            await browser.SendAsync("Runtime.evaluate", new { expression = "document.getElementById('start').click()", userGesture = true });
            var states = new List<MicState>();
            while (true)
            {
                var state = (await browser.EvaluateAsync(ReadState)).Deserialize<MicState>(JsonSerializerOptions.Web)!;
                states.Add(state);
                if (state.State is not ("starting" or "connecting" or "live"))
                {
                    return (browser, states, clock);
                }
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(wanted + 60), $"the page did not stream {wanted} s in time: {state}");
                if (state.SampleRateHz > 0 && state.SamplesSent / state.SampleRateHz >= wanted)
                {
                    return (browser, states, clock);
                }
                await Task.Delay(250);
            }
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>The clip as 16-bit PCM, the format chromium's fake device reads, between silences.</summary>
    private static void WritePcm16(string path, AudioClip clip, double leadSeconds, double tailSeconds)
    {
        using var writer = new WaveFileWriter(path, new WaveFormat(clip.SampleRateHz, 16, 1));
        var silence = new float[clip.SampleRateHz];
        for (int i = 0; i < leadSeconds; i++)
        {
            writer.WriteSamples(silence, 0, silence.Length);
        }
        writer.WriteSamples(clip.Samples, 0, clip.Samples.Length);
        for (int i = 0; i < tailSeconds; i++)
        {
            writer.WriteSamples(silence, 0, silence.Length);
        }
    }
}
