// Sessions that choose a speaker model by name (Server:Models) on the real daemon and its default factory; paths from clients are refused.
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

    [SkippableFact]
    public async Task A_client_path_is_refused_without_opening_it_a_fifo_as_fast_as_a_missing_file_with_the_same_answer()
    {
        var dir = RepoPaths.NewTempDir();
        var fifo = Path.Combine(dir, "blocks-on-open");
        var existing = TestModels.Write(dir, "real.onnx", TestModels.SquareMeanEmbedder());
        var missing = Path.Combine(dir, "absent.onnx");
        MakeFifo(fifo);
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:square:Path", existing));

        // Opening a FIFO with no writer blocks for ever: an answer at all shows the server never opened it.
        var fromFifo = await Refusal(daemon, "onnx:" + fifo);
        var fromExisting = await Refusal(daemon, "onnx:" + existing);
        var fromMissing = await Refusal(daemon, "onnx:" + missing);
        var fromBarePath = await Refusal(daemon, existing);

        Assert.Equal(StatusCode.InvalidArgument, fromFifo.StatusCode);
        Assert.Contains("file paths are not accepted from clients", fromFifo.Status.Detail);
        Assert.Contains("'features' or one of 'square'", fromFifo.Status.Detail);
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
        var model = TestModels.Write(dir, "vad.onnx", TestModels.SquareMeanEmbedder());
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Models:silero:Path", model), ("Server:Models:silero:Kind", "vad"));

        var ex = await Refusal(daemon, "silero");

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("embedder 'silero' is a vad model, not a speaker embedder", ex.Status.Detail);
    }

    [Fact]
    public async Task A_declared_model_that_is_missing_stops_the_start_naming_the_setting()
    {
        var missing = Path.Combine(RepoPaths.NewTempDir(), "absent.onnx");

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => DaemonHost.StartAsync(null, ("Server:Models:wespeaker:Path", missing)));

        Assert.Contains($"Server:Models:wespeaker:Path '{missing}' is not a file", ex.Message);
    }

    [Fact]
    public async Task A_declared_file_that_is_not_a_model_stops_the_start_saying_so()
    {
        var bogus = Path.Combine(RepoPaths.NewTempDir(), "notes.onnx");
        await File.WriteAllTextAsync(bogus, "not a model");

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => DaemonHost.StartAsync(null, ("Server:Models:notes:Path", bogus)));

        Assert.Contains("Server:Models:notes", ex.Message);
        Assert.Contains("not a valid ONNX model", ex.Message);
    }

    private static async Task<RpcException> Refusal(DaemonHost daemon, string embedder)
    {
        // A generous deadline, so a server that did block fails this test instead of hanging the run.
        using var call = daemon.Client.Diarize(deadline: DateTime.UtcNow.AddMinutes(2));
        var config = TestAudio.F32Config();
        config.Embedder = embedder;
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
