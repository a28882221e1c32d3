// Sessions that choose a speaker model (SessionConfig.embedder = "onnx:PATH") or a neural VAD (SessionConfig.vad) on the
// real daemon and its default factory.
using Grpc.Core;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Onnx.Tests;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class OnnxSessionTests
{
    [Fact]
    public async Task A_session_with_an_onnx_embedder_ends_with_SessionEnded_and_final_segments()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "square-mean.onnx", TestModels.SquareMeanEmbedder());
        var clip = StreamDiarize.Audio.AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));
        await using var daemon = await DaemonHost.StartAsync();

        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config("onnx-1");
        config.Embedder = "onnx:" + model;
        var sending = TestAudio.SendAsync(call.RequestStream, clip, config);
        var events = await TestAudio.ReadAllAsync(call.ResponseStream);
        await sending;

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
        var ledger = new SegmentLedger();
        foreach (var e in events.Skip(1))
        {
            ledger.Apply(EventMapping.ToCore(e)!);
        }
        Assert.NotEmpty(ledger.Snapshot(includeProvisional: false));
        Assert.True(events[^1].SessionEnded.SegmentCount > 0);
    }

    [Fact]
    public async Task A_missing_model_is_invalid_argument_naming_the_path_and_the_problem()
    {
        var missing = Path.Combine(RepoPaths.NewTempDir(), "absent.onnx");
        await using var daemon = await DaemonHost.StartAsync();

        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config();
        config.Embedder = "onnx:" + missing;
        try
        {
            await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(1), config);
        }
        catch (RpcException)
        {
            // The server may end the call before every write lands; the status is what matters.
        }
        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(missing, ex.Status.Detail);
        Assert.Contains("model file not found", ex.Status.Detail);
    }

    [Fact]
    public async Task A_file_that_is_not_a_model_is_invalid_argument_saying_so()
    {
        var dir = RepoPaths.NewTempDir();
        var bogus = Path.Combine(dir, "notes.onnx");
        await File.WriteAllTextAsync(bogus, "not a model");
        await using var daemon = await DaemonHost.StartAsync();

        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config();
        config.Embedder = "onnx:" + bogus;
        try
        {
            await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(1), config);
        }
        catch (RpcException)
        {
            // As above.
        }
        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(bogus, ex.Status.Detail);
        Assert.Contains("not a valid ONNX model", ex.Status.Detail);
    }

    [Fact]
    public async Task A_session_with_an_onnx_vad_detects_speech_with_the_model()
    {
        var dir = RepoPaths.NewTempDir();
        var vad = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        var clip = StreamDiarize.Audio.AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));
        await using var daemon = await DaemonHost.StartAsync();

        async Task<(SessionConfig Effective, double SpeechSeconds)> Run(string id, string? vadChoice)
        {
            using var call = daemon.Client.Diarize();
            var config = TestAudio.F32Config(id);
            if (vadChoice is not null)
            {
                config.Vad = vadChoice;
            }
            var sending = TestAudio.SendAsync(call.RequestStream, clip, config);
            var events = await TestAudio.ReadAllAsync(call.ResponseStream);
            await sending;
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            return (events[0].SessionStarted.EffectiveConfig, events[^1].SessionEnded.SpeechSeconds);
        }

        var (effective, withModel) = await Run("vad-onnx", "onnx:" + vad);
        var (defaults, withEnergy) = await Run("vad-energy", null);

        Assert.Equal("onnx:" + vad, effective.Vad);
        Assert.Equal("energy", defaults.Vad);
        // The test VAD calls nearly every chunk of a meeting speech; the energy detector finds the pauses.
        Assert.InRange(withModel, 28, 30.01);
        Assert.True(withEnergy < 25, $"energy detector: {withEnergy} s of speech");
    }

    [Fact]
    public async Task An_unknown_vad_is_invalid_argument_on_the_vad_field_with_the_choices()
    {
        await using var daemon = await DaemonHost.StartAsync();

        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config();
        config.Vad = "silero";
        try
        {
            await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(1), config);
        }
        catch (RpcException)
        {
            // As above.
        }
        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("vad: vad 'silero' is invalid: use 'energy' or 'onnx:PATH'", ex.Status.Detail);
    }
}
