// Sessions that choose a speaker model or a neural VAD by name (Server:Models) on the real daemon and its default factory;
// paths from clients are refused.
using System.Diagnostics;
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
    public async Task A_session_choosing_a_declared_model_by_name_ends_with_SessionEnded_and_final_segments()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "square-mean.onnx", TestModels.SquareMeanEmbedder());
        var clip = StreamDiarize.Audio.AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:square:Path", model), ("Server:Models:square:Kind", "embedder"));

        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config("onnx-1");
        config.Embedder = "square";
        var sending = TestAudio.SendAsync(call.RequestStream, clip, config);
        var events = await TestAudio.ReadAllAsync(call.ResponseStream);
        await sending;

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        // The effective config names the model, never the server's file.
        Assert.Equal("square", events[0].SessionStarted.EffectiveConfig.Embedder);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
        var ledger = new SegmentLedger();
        foreach (var e in events.Skip(1))
        {
            ledger.Apply(EventMapping.ToCore(e)!);
        }
        Assert.NotEmpty(ledger.Snapshot(includeProvisional: false));
        Assert.True(events[^1].SessionEnded.SegmentCount > 0);
    }

    [SkippableTheory]
    [InlineData("embedder")]
    [InlineData("vad")]
    public async Task A_client_path_is_refused_without_opening_it_a_fifo_as_fast_as_a_missing_file_with_the_same_answer(string field)
    {
        bool vad = field == "vad";
        var dir = RepoPaths.NewTempDir();
        var fifo = Path.Combine(dir, "blocks-on-open");
        var existing = TestModels.Write(dir, "real.onnx", vad ? TestModels.CountingVad() : TestModels.SquareMeanEmbedder());
        var missing = Path.Combine(dir, "absent.onnx");
        MakeFifo(fifo);
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:declared:Path", existing), ("Server:Models:declared:Kind", field));
        Task<RpcException> Ask(string choice) => vad ? Refusal(daemon, null, choice) : Refusal(daemon, choice);

        // Opening a FIFO with no writer blocks for ever: an answer at all shows the server never opened it.
        var fromFifo = await Ask("onnx:" + fifo);
        var fromExisting = await Ask("onnx:" + existing);
        var fromMissing = await Ask("onnx:" + missing);
        var fromBarePath = await Ask(existing);

        Assert.Equal(StatusCode.InvalidArgument, fromFifo.StatusCode);
        Assert.Contains($"{field}: file paths are not accepted from clients", fromFifo.Status.Detail);
        Assert.Contains($"'{(vad ? "energy" : "features")}' or one of 'declared'", fromFifo.Status.Detail);
        Assert.DoesNotContain(dir, fromFifo.Status.Detail);
        // Whether a file exists, is a model or is a FIFO, the answer is the same byte for byte.
        Assert.Equal(fromFifo.Status, fromExisting.Status);
        Assert.Equal(fromFifo.Status, fromMissing.Status);
        Assert.Equal(fromFifo.Status, fromBarePath.Status);
    }

    [Fact]
    public async Task A_vad_model_named_as_embedder_is_invalid_argument_saying_what_it_is()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:silero:Path", model), ("Server:Models:silero:Kind", "vad"));

        var ex = await Refusal(daemon, "silero");

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("embedder 'silero' is a vad model, not a speaker embedder", ex.Status.Detail);
    }

    [Fact]
    public async Task A_declared_model_that_is_missing_stops_the_start_naming_the_setting()
    {
        var missing = Path.Combine(RepoPaths.NewTempDir(), "absent.onnx");

        var ex = await Assert.ThrowsAsync<Core.Options.OptionsValidationException>(
            () => DaemonHost.StartAsync(null, ("Server:Models:wespeaker:Path", missing)));

        Assert.Contains($"Server:Models:wespeaker:Path '{missing}' is not a file", ex.Message);
    }

    [Theory]
    [InlineData("embedder")]
    [InlineData("vad")]
    public async Task A_declared_file_that_is_not_a_model_stops_the_start_saying_so(string kind)
    {
        var bogus = Path.Combine(RepoPaths.NewTempDir(), "notes.onnx");
        await File.WriteAllTextAsync(bogus, "not a model");

        var ex = await Assert.ThrowsAsync<Core.Options.OptionsValidationException>(
            () => DaemonHost.StartAsync(null, ("Server:Models:notes:Path", bogus), ("Server:Models:notes:Kind", kind)));

        Assert.Contains("Server:Models:notes", ex.Message);
        Assert.Contains("not a valid ONNX model", ex.Message);
    }

    [Fact]
    public async Task A_session_with_a_declared_onnx_vad_detects_speech_with_the_model()
    {
        var dir = RepoPaths.NewTempDir();
        var vad = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        var clip = StreamDiarize.Audio.AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:counting:Path", vad), ("Server:Models:counting:Kind", "vad"));

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

        var (effective, withModel) = await Run("vad-onnx", "counting");
        var (defaults, withEnergy) = await Run("vad-energy", null);

        // The effective config names the model, never the server's file.
        Assert.Equal("counting", effective.Vad);
        Assert.Equal("energy", defaults.Vad);
        // The test VAD calls nearly every chunk of a meeting speech; the energy detector finds the pauses.
        Assert.InRange(withModel, 28, 30.01);
        Assert.True(withEnergy < 25, $"energy detector: {withEnergy} s of speech");
    }

    [Fact]
    public async Task An_unknown_vad_is_invalid_argument_on_the_vad_field_with_the_choices()
    {
        await using var daemon = await DaemonHost.StartAsync();

        var ex = await Refusal(daemon, null, "silero");

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("vad 'silero' is not a model this server offers: choose 'energy' (this server declares no models)", ex.Status.Detail);
    }

    [Fact]
    public async Task An_embedder_model_named_as_vad_is_invalid_argument_saying_what_it_is()
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "square-mean.onnx", TestModels.SquareMeanEmbedder());
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:square:Path", model), ("Server:Models:square:Kind", "embedder"));

        var ex = await Refusal(daemon, null, "square");

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("vad 'square' is an embedder model, not a speech detector", ex.Status.Detail);
    }

    private static async Task<RpcException> Refusal(DaemonHost daemon, string? embedder, string? vad = null)
    {
        // A generous deadline, so a server that did block fails this test instead of hanging the run.
        using var call = daemon.Client.Diarize(deadline: DateTime.UtcNow.AddMinutes(2));
        var config = TestAudio.F32Config();
        if (embedder is not null)
        {
            config.Embedder = embedder;
        }
        if (vad is not null)
        {
            config.Vad = vad;
        }
        try
        {
            await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(0.5), config);
        }
        catch (RpcException)
        {
            // The server may end the call before every write lands; the status is what matters.
        }
        return await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));
    }

    private static void MakeFifo(string path)
    {
        var info = new ProcessStartInfo("mkfifo") { UseShellExecute = false };
        info.ArgumentList.Add(path);
        Process? process = null;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Skip.If(Environment.GetEnvironmentVariable("CI") != "true", "mkfifo (coreutils) is not installed");
            throw;
        }
        using (process)
        {
            process!.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }
    }
}
