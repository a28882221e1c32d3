// Diarize end to end on the real daemon: the event order, and final segments equal to the offline pipeline's.
using Grpc.Core;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class DiarizeTests
{
    [Theory]
    [MemberData(nameof(Factories))]
    public async Task A_stream_gets_SessionStarted_then_events_then_SessionEnded_and_its_final_segments_equal_the_offline_pipeline(string factoryName)
    {
        var factory = IntegrationFactory.ByName(factoryName);
        // Real speech: the default diarizer rightly finds no speaker in noise.
        var clip = StreamDiarize.Audio.AudioLoader.LoadWav(StreamDiarize.TestSupport.RepoPaths.Ami("trn05.wav"));
        await using var daemon = await DaemonHost.StartAsync(factory);

        using var call = daemon.Client.Diarize();
        var sending = TestAudio.SendAsync(call.RequestStream, clip, TestAudio.F32Config("order-1"));
        var events = await TestAudio.ReadAllAsync(call.ResponseStream);
        await sending;

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("order-1", events[0].SessionStarted.SessionId);
        Assert.Equal(20, events[0].SessionStarted.EffectiveConfig.MaxSpeakers);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
        var ledger = new SegmentLedger();
        foreach (var e in events.Skip(1))
        {
            ledger.Apply(EventMapping.ToCore(e)!);
        }
        var offline = await TestAudio.OfflineFinalSegments(factory, clip);
        Assert.NotEmpty(offline);
        Assert.Equal(offline, ledger.Snapshot(includeProvisional: false));
    }

    public static TheoryData<string> Factories => IntegrationFactory.Names;

    [Fact]
    public async Task The_scripted_session_sends_relabel_speaker_added_and_change_events_through_the_wire()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = daemon.Client.Diarize();
        var sending = TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(4), TestAudio.F32Config());
        var kinds = (await TestAudio.ReadAllAsync(call.ResponseStream)).Select(e => e.EventCase).ToHashSet();
        await sending;

        Assert.Contains(DiarizeEvent.EventOneofCase.Relabel, kinds);
        Assert.Contains(DiarizeEvent.EventOneofCase.SpeakerAdded, kinds);
        Assert.Contains(DiarizeEvent.EventOneofCase.SpeakerChange, kinds);
        Assert.Contains(DiarizeEvent.EventOneofCase.Segment, kinds);
    }

    [Fact]
    public async Task S16le_stereo_at_8_kHz_is_accepted_and_resampled()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = daemon.Client.Diarize();
        await call.RequestStream.WriteAsync(new DiarizeRequest
        {
            Config = new SessionConfig { Format = new AudioFormat { Encoding = AudioEncoding.PcmS16Le, SampleRateHz = 8000, Channels = 2 } },
        });
        await call.RequestStream.WriteAsync(new DiarizeRequest { Audio = new AudioChunk { Data = Google.Protobuf.ByteString.CopyFrom(new byte[8000 * 4 * 2]) } });
        await call.RequestStream.CompleteAsync();
        var events = await TestAudio.ReadAllAsync(call.ResponseStream);

        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
        Assert.Equal(2.0, events[^1].StreamTimeSeconds, 1);
    }
}
