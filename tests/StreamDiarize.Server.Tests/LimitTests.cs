// Sessions the server ends itself (idle, audio and wall-clock limits): final turns and SessionEnded with the reason first, then the status.
using Grpc.Core;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class LimitTests
{
    [Fact]
    public async Task A_session_past_MaxSessionSeconds_gets_its_final_turns_and_SessionEnded_then_resource_exhausted()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:MaxSessionSeconds", "1.5"));
        using var call = daemon.Client.Diarize();
        var sending = SendQuietly(call.RequestStream, TestAudio.Noise(4), TestAudio.F32Config("long"));

        var (events, ex) = await ReadUntilStatus(call);
        await sending;

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("limit of 1.5 s of audio (Server:MaxSessionSeconds): start a new session", ex.Status.Detail);
        var ended = Assert.Single(events, e => e.EventCase == DiarizeEvent.EventOneofCase.SessionEnded).SessionEnded;
        Assert.Equal(EndReason.AudioLimit, ended.Reason);
        Assert.Equal(ex.Status.Detail, ended.Detail);
        // The scripted diarizer closes a turn every 0.5 s and the last one at the end: the turns up to the limit arrive.
        Assert.True(ended.SegmentCount >= 3, $"{ended.SegmentCount} final segments");
        Assert.Equal(ended.SegmentCount, events.Count(e => e.Segment is { IsFinal: true }));
        Assert.Equal(0, daemon.Registry.Count);
    }

    [Fact]
    public async Task A_config_only_session_is_ended_by_the_idle_timeout_with_SessionEnded_saying_so()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:IdleTimeoutSeconds", "1"));
        using var call = daemon.Client.Diarize();
        await call.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config("silent") });

        var (events, ex) = await ReadUntilStatus(call);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("no audio arrived for 1 s (Server:IdleTimeoutSeconds)", ex.Status.Detail);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionStarted, events[0].EventCase);
        Assert.Equal(EndReason.IdleTimeout, events[^1].SessionEnded.Reason);
        Assert.Equal(0, daemon.Registry.Count);
    }

    [Fact]
    public async Task A_session_that_stops_sending_is_ended_by_the_idle_timeout_with_the_turns_it_had()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:IdleTimeoutSeconds", "1"));
        using var call = daemon.Client.Diarize();
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(2), TestAudio.F32Config("paused"), complete: false);

        var (events, ex) = await ReadUntilStatus(call);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        var ended = events[^1].SessionEnded;
        Assert.Equal(EndReason.IdleTimeout, ended.Reason);
        Assert.True(ended.SegmentCount >= 3, $"{ended.SegmentCount} final segments");
    }

    [Fact]
    public async Task A_call_that_never_sends_a_config_is_ended_by_the_idle_timeout()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:IdleTimeoutSeconds", "1"));
        using var call = daemon.Client.Diarize();

        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("no SessionConfig arrived within 1 s of the call's start (Server:IdleTimeoutSeconds)", ex.Status.Detail);
    }

    [Fact]
    public async Task A_session_past_MaxSessionWallSeconds_ends_with_its_turns_and_resource_exhausted_though_audio_keeps_coming()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:MaxSessionWallSeconds", "1.5"));
        using var call = daemon.Client.Diarize();
        using var stop = new CancellationTokenSource();
        // A trickle of audio: 0.1 s every 50 ms keeps the idle timer quiet; only wall-clock time can end it.
        var sending = Task.Run(async () =>
        {
            await call.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config("wall") });
            var chunk = TestAudio.Noise(0.1).Samples;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await call.RequestStream.WriteAsync(TestAudio.Chunk(chunk));
                    await Task.Delay(50);
                }
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or OperationCanceledException)
            {
                // The server ended the call.
            }
        });

        var (events, ex) = await ReadUntilStatus(call);
        await stop.CancelAsync();
        await sending;

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("limit of 1.5 s of wall-clock time (Server:MaxSessionWallSeconds)", ex.Status.Detail);
        Assert.Equal(EndReason.TimeLimit, events[^1].SessionEnded.Reason);
    }

    /// <summary>Every event until the call's status; the status must be an error.</summary>
    internal static async Task<(List<DiarizeEvent> Events, RpcException Status)> ReadUntilStatus(AsyncDuplexStreamingCall<DiarizeRequest, DiarizeEvent> call)
    {
        var events = new List<DiarizeEvent>();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync())
            {
                events.Add(e);
            }
        });
        return (events, ex);
    }

    internal static async Task SendQuietly(IClientStreamWriter<DiarizeRequest> requests, Core.Audio.AudioClip clip, SessionConfig config)
    {
        try
        {
            await TestAudio.SendAsync(requests, clip, config);
        }
        catch (RpcException)
        {
            // The server ends the call at its limit; the rest of the audio is not wanted.
        }
    }
}
