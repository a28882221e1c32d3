// The live page in a real browser (headless chromium) while real meeting audio streams through gRPC: turns appear, grow and match the client's.
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class LivePageBrowserTests
{
    /// <summary>Set to a path to keep the mid-stream screenshot (docs/images/live-page.png is made this way).</summary>
    private const string ScreenshotVariable = "STREAMDIARIZE_LIVE_SCREENSHOT";

    private sealed record PageState(int Turns, int Segments, int Relabels, bool Ended, string Speaker, string Text, string Clock);

    private const string ReadState = """
        ({ turns: document.querySelectorAll('[data-turn]').length, segments: +document.body.dataset.segments,
           relabels: +document.body.dataset.relabels, ended: document.body.dataset.ended === 'true',
           speaker: document.getElementById('current').dataset.speaker, text: document.getElementById('current-text').textContent,
           clock: document.getElementById('clock').textContent })
        """;

    [SkippableFact]
    public async Task The_live_page_shows_turns_appearing_and_growing_with_the_current_speaker_while_an_ami_clip_streams_and_ends_with_the_clients_turns()
    {
        HeadlessChromium.Require();
        await using var daemon = await DaemonHost.StartAsync(factory: null);
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config("meeting-room");
        config.IncludeProvisional = true;
        // Real time: the browser takes some seconds to start, and the clip's later turns must still be to come.
        var sending = SendPacedAsync(call.RequestStream, clip, config, speed: 1);
        var reading = TestAudio.ReadAllAsync(call.ResponseStream);
        var clock = Stopwatch.StartNew();
        while (!daemon.Registry.TryGet("meeting-room", out _))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the session never went live");
            await Task.Delay(20);
        }

        string url = $"http://127.0.0.1:{daemon.HttpPort}/session.html?id=meeting-room";
        await using var browser = await HeadlessChromium.OpenAsync(url);
        // The target is listed under its URL while it still shows about:blank: wait for the page itself to have loaded.
        while (!(await browser.EvaluateAsync($"location.href === '{url}' && document.readyState === 'complete'")).GetBoolean())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the page did not load in 30 s");
            await Task.Delay(50);
        }
        var states = new List<PageState>();
        byte[]? screenshot = null;
        while (states.Count == 0 || !states[^1].Ended)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"the page never showed the end of the session; last state {states.LastOrDefault()}");
            states.Add((await browser.EvaluateAsync(ReadState)).Deserialize<PageState>(JsonSerializerOptions.Web)!);
            if (screenshot is null && states[^1].Clock.CompareTo("0:20") >= 0 && !states[^1].Ended)
            {
                screenshot = await browser.ScreenshotAsync();
            }
            await Task.Delay(250);
        }
        var clientEvents = await reading;
        await sending;

        var first = states.First(s => s.Turns > 0);
        var last = states[^1];
        Assert.False(first.Ended, "the first turns appeared only after the session ended: nothing was seen live");
        Assert.True(last.Turns > first.Turns, $"turns did not grow: {first.Turns} then {last.Turns} (first seen at page clock {first.Clock} after {clock.Elapsed}, {states.Count} states)");
        Assert.True(last.Segments > first.Segments, $"segments applied did not grow: {first.Segments} then {last.Segments}");
        Assert.Contains(states, s => !s.Ended && Regex.IsMatch(s.Speaker, @"^S\d+$") && s.Text == s.Speaker + " speaking");

        // The page's ledger in JavaScript ends where Core's SegmentLedger ends for the gRPC client.
        var ledger = new SegmentLedger();
        foreach (var e in clientEvents)
        {
            if (EventMapping.ToCore(e) is { } core)
            {
                ledger.Apply(core);
            }
        }
        var expected = ledger.Snapshot(includeProvisional: false);
        var shown = (await browser.EvaluateAsync("snapshot()")).EnumerateArray().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, shown.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Speaker, shown[i].GetProperty("speaker").GetString());
            Assert.Equal(expected[i].StartSeconds, shown[i].GetProperty("start").GetDouble(), 0.002);
            Assert.Equal(expected[i].EndSeconds, shown[i].GetProperty("end").GetDouble(), 0.002);
        }

        screenshot ??= await browser.ScreenshotAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], screenshot[..4]);
        if (Environment.GetEnvironmentVariable(ScreenshotVariable) is { Length: > 0 } keep)
        {
            await File.WriteAllBytesAsync(keep, screenshot);
        }
    }

    [SkippableFact]
    public async Task The_live_page_shows_an_enrolled_persons_name_for_their_speaker_and_leaves_the_unenrolled_voice_anonymous()
    {
        HeadlessChromium.Require();
        string dir = RepoPaths.NewTempDir();
        try
        {
            var c = SpeakerProfilesTests.Conversation.Value;
            await using var daemon = await DaemonHost.StartAsync(null, ("Server:DataDirectory", dir));
            await SpeakerProfilesTests.EnrollAsync(daemon, "Linda", c.EnrollmentClip("LJ"));
            using var call = daemon.Client.Diarize();
            var config = TestAudio.F32Config("named-room");
            config.KnownSpeakers.Add("Linda");
            // Eight times real time: the rest of the conversation (about 8 minutes) in about a minute, so the page is open
            // well before the speaker is recognised (it takes a few minutes of their speech).
            var sending = SendPacedAsync(call.RequestStream, c.Rest, config, speed: 8);
            var reading = TestAudio.ReadAllAsync(call.ResponseStream);
            await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("named-room", out _));

            string url = $"http://127.0.0.1:{daemon.HttpPort}/session.html?id=named-room";
            await using var browser = await HeadlessChromium.OpenAsync(url);
            var clock = Stopwatch.StartNew();
            // Hang guards only: the session's audio lasts about a minute at this pace.
            while (!(await browser.EvaluateAsync("document.body !== null && document.body.dataset.ended === 'true'")).GetBoolean())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), "the page never showed the end of the session");
                await Task.Delay(250);
            }
            var events = await reading;
            await sending;

            var identified = Assert.Single(events.Where(e => e.EventCase == DiarizeEvent.EventOneofCase.SpeakerIdentified).Select(e => e.SpeakerIdentified));
            Assert.Equal("Linda", identified.Name);
            // What a person reads: the lane labels and the end-of-session summary show Linda for her speaker's id, and
            // every other speaker by its anonymous id.
            var lanes = (await browser.EvaluateAsync("[...document.querySelectorAll('#lanes text[font-size=\"34\"]')].map(t => t.textContent)"))
                .EnumerateArray().Select(t => t.GetString()!).ToList();
            var summary = (await browser.EvaluateAsync("[...document.querySelectorAll('#summary .row b')].map(b => b.textContent)"))
                .EnumerateArray().Select(t => t.GetString()!).ToList();
            foreach (var shown in new[] { lanes, summary })
            {
                Assert.Contains("Linda", shown);
                Assert.DoesNotContain(identified.Speaker, shown);
                Assert.All(shown.Where(n => n != "Linda"), n => Assert.Matches(@"^S\d+$", n));
                Assert.Contains(shown, n => n != "Linda");
            }
            // Linda's turns on the overview carry her name, not her speaker id.
            var labels = (await browser.EvaluateAsync("[...document.querySelectorAll('#overview text')].map(t => t.textContent)"))
                .EnumerateArray().Select(t => t.GetString()!).ToList();
            Assert.DoesNotContain(identified.Speaker, labels);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Sends the clip in 100 ms chunks at <paramref name="speed"/> times real time, then half-closes.</summary>
    private static async Task SendPacedAsync(IClientStreamWriter<DiarizeRequest> requests, AudioClip clip, SessionConfig config, double speed)
    {
        await requests.WriteAsync(new DiarizeRequest { Config = config });
        var clock = Stopwatch.StartNew();
        const int chunk = 1600;
        for (int start = 0; start < clip.Samples.Length; start += chunk)
        {
            await requests.WriteAsync(TestAudio.Chunk(clip.Samples.AsSpan(start, Math.Min(chunk, clip.Samples.Length - start))));
            var due = TimeSpan.FromSeconds((start + chunk) / (double)clip.SampleRateHz / speed);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }
        await requests.CompleteAsync();
    }
}
