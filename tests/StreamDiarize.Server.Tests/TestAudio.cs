// Audio and request helpers shared by the server tests.
using Google.Protobuf;
using Grpc.Core;
using StreamDiarize.Core.Audio;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Streaming;
using StreamDiarize.Streaming.Sinks;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Server.Tests;

internal static class TestAudio
{
    /// <summary>Seeded noise with a slow amplitude swing, 16 kHz mono.</summary>
    public static AudioClip Noise(double seconds, int seed = 7)
    {
        var random = new Random(seed);
        var x = new float[(int)(seconds * 16000)];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() - 0.5) * (0.2 + 0.15 * Math.Sin(i / 8000.0)));
        }
        return new AudioClip("noise", x, 16000);
    }

    public static SessionConfig F32Config(string? id = null)
    {
        var config = new SessionConfig { Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = 16000, Channels = 1 } };
        if (id is not null)
        {
            config.SessionId = id;
        }
        return config;
    }

    public static DiarizeRequest Chunk(ReadOnlySpan<float> samples)
    {
        var bytes = new byte[samples.Length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples).CopyTo(bytes);
        return new DiarizeRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(bytes) } };
    }

    /// <summary>Sends the clip in 100 ms chunks; half-closes when <paramref name="complete"/>.</summary>
    public static async Task SendAsync(IClientStreamWriter<DiarizeRequest> requests, AudioClip clip, SessionConfig config, bool complete = true, CancellationToken ct = default)
    {
        await requests.WriteAsync(new DiarizeRequest { Config = config }, ct);
        for (int start = 0; start < clip.Samples.Length; start += 1600)
        {
            await requests.WriteAsync(Chunk(clip.Samples.AsSpan(start, Math.Min(1600, clip.Samples.Length - start))), ct);
        }
        if (complete)
        {
            await requests.CompleteAsync();
        }
    }

    /// <summary>One whole session: <paramref name="clip"/> sent with <paramref name="config"/>, every event it got back.</summary>
    public static async Task<List<DiarizeEvent>> DiarizeAsync(DaemonHost daemon, AudioClip clip, SessionConfig config)
    {
        using var call = daemon.Client.Diarize();
        var reading = ReadAllAsync(call.ResponseStream);
        await SendAsync(call.RequestStream, clip, config);
        return await reading;
    }

    public static async Task<List<DiarizeEvent>> ReadAllAsync(IAsyncStreamReader<DiarizeEvent> stream, Func<Task>? onEnded = null, CancellationToken ct = default)
    {
        var events = new List<DiarizeEvent>();
        await foreach (var e in stream.ReadAllAsync(ct))
        {
            events.Add(e);
            if (e.EventCase == DiarizeEvent.EventOneofCase.SessionEnded && onEnded is not null)
            {
                await onEnded();
            }
        }
        return events;
    }

    /// <summary>
    /// Sends a config on a call the server is expected to refuse and returns the refusal. The write itself may fail
    /// (the server can end the call before the client's write completes, and the HTTP/2 reset then reads as
    /// Cancelled on the write); the call's real status is in its trailers, so it is read from the response stream.
    /// </summary>
    public static async Task<RpcException> RefusalAsync(AsyncDuplexStreamingCall<DiarizeRequest, DiarizeEvent> call, SessionConfig config)
    {
        try
        {
            await call.RequestStream.WriteAsync(new DiarizeRequest { Config = config });
        }
        catch (RpcException)
        {
            // The status that counts is the one in the trailers, read below.
        }
        catch (InvalidOperationException)
        {
            // Writing after the call completed.
        }
        return await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call.ResponseStream));
    }

    /// <summary>The final turns the same factory gives offline, through the same pipeline, without any server.</summary>
    public static async Task<List<SpeakerSegment>> OfflineFinalSegments(ISessionComponentsFactory factory, AudioClip clip, SessionOptions? options = null)
    {
        var components = factory.Create(options ?? new SessionOptions());
        var sink = new LedgerSink();
        await new DiarizationPipeline(components.Analyzer, components.Diarizer, [sink]).RunAsync(new ClipAudioSource(clip, 1600, 1600), CancellationToken.None);
        return sink.Ledger.Snapshot(includeProvisional: false);
    }

    /// <summary>Opens a Diarize call named <paramref name="id"/> and sends <paramref name="seconds"/> of noise, leaving it open.</summary>
    public static async Task<AsyncDuplexStreamingCall<DiarizeRequest, DiarizeEvent>> OpenSessionAsync(DaemonHost daemon, string id, double seconds)
    {
        var call = daemon.Client.Diarize();
        await SendAsync(call.RequestStream, Noise(seconds), F32Config(id), complete: false);
        return call;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after 20 s.</summary>
    public static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "condition not met in 20 s");
            await Task.Delay(20);
        }
    }
}
