// Hostile or careless input: samples that are not audio (NaN, infinite, near float's limit) are silenced and counted, oversized client strings are not echoed whole.
using Grpc.Core;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class InputHygieneTests
{
    [Theory]
    [InlineData(float.NaN, float.PositiveInfinity, float.NegativeInfinity)]
    // Finite, but no audio: squared or resampled they overflow into infinities (the fuzzer's WAV finding, live).
    [InlineData(3e38f, -3e38f, 1e20f)]
    public async Task Samples_that_are_NaN_infinite_or_far_beyond_full_scale_are_replaced_by_silence_and_counted_in_SessionEnded(float a, float b, float c)
    {
        var meeting = StreamDiarize.Audio.AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));
        var samples = meeting.Samples.AsSpan(0, 16000 * 30).ToArray();
        var poisoned = (float[])samples.Clone();
        var silenced = (float[])samples.Clone();
        int count = 0;
        // One bad sample in every 100 ms chunk (one NaN each gave 0 speakers before), of three kinds in turn.
        for (int i = 800; i < poisoned.Length; i += 1600)
        {
            poisoned[i] = i % 4800 == 800 ? b : i % 4800 == 2400 ? c : a;
            silenced[i] = 0f;
            count++;
        }
        await using var daemon = await DaemonHost.StartAsync();

        var (repairedTurns, repairedEnd) = await Session(daemon, new AudioClip("poisoned", poisoned, 16000));
        var (silentTurns, silentEnd) = await Session(daemon, new AudioClip("silenced", silenced, 16000));

        Assert.Equal(count, repairedEnd.NonFiniteSamples);
        Assert.Equal(0, silentEnd.NonFiniteSamples);
        Assert.True(repairedEnd.Speakers > 0);
        Assert.NotEmpty(repairedTurns);
        Assert.Equal(silentTurns, repairedTurns);
    }

    [Fact]
    public async Task A_one_mebibyte_session_id_is_refused_without_being_echoed_whole()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        string huge = new('x', 1 << 20);
        using var call = daemon.Client.Diarize();
        try
        {
            await call.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config(huge) });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The status is what matters.
        }
        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("(1048576 characters) is invalid", ex.Status.Detail);
        Assert.True(ex.Status.Detail.Length < 400, $"{ex.Status.Detail.Length} characters echoed");
    }

    [Fact]
    public async Task Watching_a_one_mebibyte_session_id_is_not_found_with_a_short_message()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = daemon.Client.Watch(new WatchRequest { SessionId = new string('y', 1 << 20) });

        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.True(ex.Status.Detail.Length < 400, $"{ex.Status.Detail.Length} characters echoed");
    }

    private static async Task<(List<SpeakerSegment> Turns, SessionEnded End)> Session(DaemonHost daemon, AudioClip clip)
    {
        using var call = daemon.Client.Diarize();
        var sending = TestAudio.SendAsync(call.RequestStream, clip, TestAudio.F32Config());
        var events = await TestAudio.ReadAllAsync(call.ResponseStream);
        await sending;
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        var ledger = new SegmentLedger();
        foreach (var e in events.Skip(1))
        {
            ledger.Apply(EventMapping.ToCore(e)!);
        }
        return (ledger.Snapshot(includeProvisional: false).ToList(), events[^1].SessionEnded);
    }
}
