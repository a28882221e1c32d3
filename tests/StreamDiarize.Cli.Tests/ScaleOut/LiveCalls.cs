// A streaming client and a watcher as the scale-out tests drive them: every event kept with the moment it arrived.
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Tests.ScaleOut;

/// <summary>The events of one call, in arrival order, and how the call ended.</summary>
internal class EventLog
{
    private readonly List<(DiarizeEvent Event, TimeSpan At)> _events = [];

    public static Stopwatch Clock { get; } = Stopwatch.StartNew();

    public Task Completion { get; protected set; } = Task.CompletedTask;

    /// <summary>The call's end: null when it ended with OK.</summary>
    public RpcException? Error { get; private set; }

    public List<DiarizeEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events.Select(e => e.Event)];
            }
        }
    }

    public List<(DiarizeEvent Event, TimeSpan At)> Timed
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The final turns after every event so far (Relabel and Merge applied), as a client keeps them.</summary>
    public List<SpeakerSegment> FinalTurns()
    {
        var ledger = new SegmentLedger();
        foreach (var e in Events)
        {
            if (EventMapping.ToCore(e) is { } core)
            {
                ledger.Apply(core);
            }
        }
        return ledger.Snapshot(includeProvisional: false);
    }

    /// <summary>True once SessionEnded has arrived: a client then stops sending and half-closes (docs/GRPC.md).</summary>
    public bool Ended { get; private set; }

    protected void Add(DiarizeEvent e)
    {
        lock (_events)
        {
            _events.Add((e, Clock.Elapsed));
            Ended |= e.SessionEnded is not null;
        }
    }

    protected async Task ReadAllAsync(IAsyncStreamReader<DiarizeEvent> stream)
    {
        try
        {
            while (await stream.MoveNext(CancellationToken.None))
            {
                Add(stream.Current);
            }
        }
        catch (RpcException ex)
        {
            Error = ex;
        }
    }
}

internal sealed class StreamingClient : EventLog, IDisposable
{
    private readonly AsyncDuplexStreamingCall<DiarizeRequest, DiarizeEvent> _call;

    private StreamingClient(AsyncDuplexStreamingCall<DiarizeRequest, DiarizeEvent> call) => _call = call;

    /// <summary>Opens a session and waits for its SessionStarted.</summary>
    public static async Task<StreamingClient> StartAsync(Diarizer.DiarizerClient client, string id)
    {
        var call = client.Diarize();
        await call.RequestStream.WriteAsync(new DiarizeRequest
        {
            Config = new SessionConfig { SessionId = id, Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = 16000, Channels = 1 } },
        });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), $"session {id}: no SessionStarted");
        Assert.Equal(id, call.ResponseStream.Current.SessionStarted.SessionId);
        var session = new StreamingClient(call);
        session.Add(call.ResponseStream.Current);
        session.Completion = session.ReadAllAsync(call.ResponseStream);
        return session;
    }

    /// <summary>
    /// Sends <paramref name="seconds"/> of the clip in 100 ms chunks at <paramref name="speed"/> times real time, then
    /// half-closes when <paramref name="halfClose"/>. When the server ends the session first (SessionEnded: a drain, a
    /// shutdown, a limit) it stops sending and half-closes, as docs/GRPC.md asks of clients; when the call itself is gone,
    /// it stops quietly.
    /// </summary>
    public async Task SendAsync(AudioClip clip, double speed, double seconds = double.MaxValue, bool halfClose = true)
    {
        int end = (int)Math.Min(clip.Samples.Length, seconds * clip.SampleRateHz);
        var pace = Stopwatch.StartNew();
        try
        {
            for (int start = 0; start < end; start += 1600)
            {
                if (Completion.IsCompleted)
                {
                    return;
                }
                if (Ended)
                {
                    break;
                }
                var samples = clip.Samples.AsSpan(start, Math.Min(1600, end - start));
                var bytes = new byte[samples.Length * 4];
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples).CopyTo(bytes);
                await _call.RequestStream.WriteAsync(new DiarizeRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(bytes) } });
                double due = (start + 1600) / (double)clip.SampleRateHz / speed;
                var wait = TimeSpan.FromSeconds(due) - pace.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }
            if (halfClose || Ended)
            {
                await _call.RequestStream.CompleteAsync();
            }
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
        {
            // The server ended the call (drain, crash): the response stream says how.
        }
    }

    public void Dispose() => _call.Dispose();
}

internal sealed class WatchingClient : EventLog, IDisposable
{
    private readonly AsyncServerStreamingCall<DiarizeEvent> _call;

    private WatchingClient(AsyncServerStreamingCall<DiarizeEvent> call) => _call = call;

    /// <summary>Opens a Watch and waits for its SessionStarted (from then on it sees every event).</summary>
    public static async Task<WatchingClient> StartAsync(Diarizer.DiarizerClient client, string id, bool replay)
    {
        var call = client.Watch(new WatchRequest { SessionId = id, ReplayFinalSegments = replay });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), $"watch {id}: no SessionStarted");
        var watcher = new WatchingClient(call);
        watcher.Add(call.ResponseStream.Current);
        watcher.Completion = watcher.ReadAllAsync(call.ResponseStream);
        return watcher;
    }

    public void Dispose() => _call.Dispose();
}
