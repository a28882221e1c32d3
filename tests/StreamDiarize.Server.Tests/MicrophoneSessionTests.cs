// `serve --mic`: the daemon diarizes a (private PulseAudio) microphone itself, and Watch and ListSessions follow it as "mic".
using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamDiarize.Capture.Tests;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Server.Tests;

/// <summary>One class, so its tests run one at a time: PULSE_SERVER is set process-wide, where libpulse reads it.</summary>
public sealed class MicrophoneSessionTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task A_watcher_follows_the_daemons_microphone_session_and_sees_it_end_when_the_daemon_stops()
    {
        using var mic = VirtualMicrophone.Start();
        using var env = NativeEnvironment.Set("PULSE_SERVER", mic.Server);
        await using var daemon = await DaemonHost.StartAsync(null, configureServices: null,
            ("Server:Microphone:Enabled", "true"), ("Server:Microphone:Device", VirtualMicrophone.MonitorName), ("Server:Microphone:Backend", "pulse"));

        var info = await WaitForSessionAsync(daemon, "mic");
        Assert.Equal("mic", info.Source);

        using var watch = daemon.Client.Watch(new WatchRequest { SessionId = "mic", ReplayFinalSegments = true });
        var events = watch.ResponseStream;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Assert.True(await events.MoveNext(guard.Token));
        Assert.Equal("mic", events.Current.SessionStarted.SessionId);

        using var player = mic.Play(RepoPaths.Ami("dev00.wav"));
        var clock = Stopwatch.StartNew();
        int finals = 0, changes = 0;
        using (var live = CancellationTokenSource.CreateLinkedTokenSource(guard.Token))
        {
            live.CancelAfter(TimeSpan.FromSeconds(40));
            while ((finals == 0 || changes == 0) && await events.MoveNext(live.Token))
            {
                finals += events.Current.Segment is { IsFinal: true } ? 1 : 0;
                changes += events.Current.SpeakerChange is not null ? 1 : 0;
            }
        }
        output.WriteLine($"first final segment and speaker change within {clock.Elapsed.TotalSeconds:F1} s of playback ({finals} final, {changes} changes)");
        Assert.True(finals > 0, "no final Segment from the microphone session");
        Assert.True(changes > 0, "no SpeakerChange from the microphone session");

        // Stopping the daemon stops capture; the pipeline flushes, so the watcher still gets the end of the session.
        var stopping = daemon.App.StopAsync(guard.Token);
        DiarizeEvent? last = null;
        while (await events.MoveNext(guard.Token))
        {
            last = events.Current;
        }
        await stopping;
        Assert.NotNull(last);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, last.EventCase);
        output.WriteLine($"SessionEnded: {last.SessionEnded.Speakers} speakers, {last.SessionEnded.SegmentCount} segments");
        player.Kill();
    }

    [Fact]
    public async Task A_microphone_that_cannot_be_opened_is_logged_with_its_name_and_the_daemon_still_serves_health()
    {
        var logs = new CollectingLoggerProvider();
        await using var daemon = await DaemonHost.StartAsync(null, services => services.AddLogging(l => l.AddProvider(logs)),
            ("Server:Microphone:Enabled", "true"), ("Server:Microphone:Device", "no-such-microphone"), ("Server:Microphone:Backend", "alsa"));

        var clock = Stopwatch.StartNew();
        string? error;
        while ((error = logs.Errors.FirstOrDefault(e => e.Contains("no-such-microphone", StringComparison.Ordinal))) is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "no error naming the device was logged in 20 s");
            await Task.Delay(50);
        }
        output.WriteLine(error);
        Assert.Contains("streamdiarize mic --list-devices", error, StringComparison.Ordinal);
        Assert.Contains("PulseAudio", error, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
        var list = await daemon.Client.ListSessionsAsync(new ListSessionsRequest());
        Assert.Empty(list.Sessions);
    }

    private static async Task<SessionInfo> WaitForSessionAsync(DaemonHost daemon, string id)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var list = await daemon.Client.ListSessionsAsync(new ListSessionsRequest());
            if (list.Sessions.FirstOrDefault(s => s.Id == id) is { } found)
            {
                return found;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"session '{id}' not listed within 20 s");
            await Task.Delay(100);
        }
    }
}
