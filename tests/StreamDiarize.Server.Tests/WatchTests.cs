// Watch and ListSessions on the real daemon: replay, live following, and a slow watcher that loses events without slowing anyone.
using System.Diagnostics;
using Grpc.Core;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class WatchTests
{
    [Fact]
    public async Task ListSessions_shows_a_live_session_with_its_start_time_audio_speakers_and_source()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = await TestAudio.OpenSessionAsync(daemon, "listed", 3);
        // Both counts race the audio under load: wait until every sample sent has arrived too.
        await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("listed", out var s) && s.SpeakersSoFar == 2 && s.Audio.SecondsReceived >= 3.0 - 1e-9);

        var list = await daemon.Client.ListSessionsAsync(new ListSessionsRequest());

        var info = Assert.Single(list.Sessions);
        Assert.Equal("listed", info.Id);
        Assert.Equal("grpc", info.Source);
        Assert.Equal(3.0, info.AudioSecondsReceived, 3);
        Assert.Equal(2, info.SpeakersSoFar);
        Assert.InRange(info.StartTime.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_watcher_with_replay_gets_the_final_segments_so_far_then_follows_to_SessionEnded_and_ends_with_the_clients_segments()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var session = await TestAudio.OpenSessionAsync(daemon, "followed", 3);
        var clientEvents = new List<DiarizeEvent>();
        // Read until a few final segments exist, so the replay has something to send.
        while (clientEvents.Count(e => e.Segment is { IsFinal: true }) < 3)
        {
            Assert.True(await session.ResponseStream.MoveNext(CancellationToken.None));
            clientEvents.Add(session.ResponseStream.Current);
        }
        using var watch = daemon.Client.Watch(new WatchRequest { SessionId = "followed", ReplayFinalSegments = true });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("followed", watch.ResponseStream.Current.SessionStarted.SessionId);

        var more = TestAudio.Noise(2, seed: 9);
        for (int start = 0; start < more.Samples.Length; start += 1600)
        {
            await session.RequestStream.WriteAsync(TestAudio.Chunk(more.Samples.AsSpan(start, 1600)));
        }
        await session.RequestStream.CompleteAsync();
        clientEvents.AddRange(await TestAudio.ReadAllAsync(session.ResponseStream));
        var watcherEvents = await TestAudio.ReadAllAsync(watch.ResponseStream);

        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, watcherEvents[^1].EventCase);
        Assert.DoesNotContain(watcherEvents, e => e.EventCase == DiarizeEvent.EventOneofCase.EventsDropped);
        Assert.Equal(Ledger(clientEvents).Snapshot(false), Ledger(watcherEvents).Snapshot(false));
    }

    private static SegmentLedger Ledger(IEnumerable<DiarizeEvent> events)
    {
        var ledger = new SegmentLedger();
        foreach (var e in events)
        {
            if (EventMapping.ToCore(e) is { } core)
            {
                ledger.Apply(core);
            }
        }
        return ledger;
    }

    [Fact]
    public async Task A_watcher_that_never_reads_gets_EventsDropped_while_the_session_finishes_at_full_speed()
    {
        // One final turn per frame: about 300 events a second of audio, far more than the watcher's 8-event buffer
        // plus what the HTTP/2 window holds.
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(turnFrames: 1), ("Server:WatcherBufferEvents", "8"));
        using var session = daemon.Client.Diarize();
        await session.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config("busy") });
        Assert.True(await session.ResponseStream.MoveNext(CancellationToken.None));
        using var watch = daemon.Client.Watch(new WatchRequest { SessionId = "busy" });
        await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("busy", out var s) && s.WatcherCount == 1);

        var clock = Stopwatch.StartNew();
        var clip = TestAudio.Noise(60);
        var sending = Task.Run(async () =>
        {
            for (int start = 0; start < clip.Samples.Length; start += 1600)
            {
                await session.RequestStream.WriteAsync(TestAudio.Chunk(clip.Samples.AsSpan(start, 1600)));
            }
            await session.RequestStream.CompleteAsync();
        });
        var clientEvents = await TestAudio.ReadAllAsync(session.ResponseStream);
        await sending;
        var sessionTime = clock.Elapsed;

        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, clientEvents[^1].EventCase);
        Assert.True(clientEvents.Count > 10000, $"{clientEvents.Count} events");
        Assert.True(sessionTime < TimeSpan.FromSeconds(30), $"60 s of audio took {sessionTime} with a stalled watcher");
        var watcherEvents = await TestAudio.ReadAllAsync(watch.ResponseStream);
        long dropped = watcherEvents.Where(e => e.EventCase == DiarizeEvent.EventOneofCase.EventsDropped).Sum(e => e.EventsDropped.Count);
        Assert.True(dropped > 0, "the stalled watcher was never told it lost events");
        // Every event offered to the watcher (SessionStarted and the session's events) was either delivered or counted as dropped;
        // the client read its SessionStarted above, before clientEvents.
        int delivered = watcherEvents.Count(e => e.EventCase != DiarizeEvent.EventOneofCase.EventsDropped);
        Assert.Equal(clientEvents.Count + 1, delivered + dropped);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, watcherEvents.Last(e => e.EventCase != DiarizeEvent.EventOneofCase.EventsDropped).EventCase);
    }
}
