// `streamdiarize file --embedder onnx:MODEL` end to end on an AMI clip, with a small model the test builds itself.
using System.Text.RegularExpressions;
using StreamDiarize.Core.Segments;
using StreamDiarize.Onnx.Tests;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public sealed partial class FileCommandOnnxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void File_with_an_onnx_embedder_writes_an_rttm_with_speakers_and_says_the_model_ran(bool streaming)
    {
        var dir = RepoPaths.NewTempDir();
        var model = TestModels.Write(dir, "square-mean.onnx", TestModels.SquareMeanEmbedder());
        string[] args = ["file", RepoPaths.Ami("trn05.wav"), "--out", dir, "--embedder", "onnx:" + model];
        var (code, output, error) = CliRunner.Invoke(streaming ? [.. args, "--streaming"] : args);

        Assert.True(code == 0, error);
        var hyp = Rttm.ReadFile(Path.Combine(dir, "trn05.rttm"))["trn05"];
        Assert.NotEmpty(hyp);
        Assert.All(hyp, s => Assert.False(string.IsNullOrEmpty(s.Speaker)));
        var runs = RunsLine().Match(output);
        Assert.True(runs.Success, output);
        Assert.Equal("16", runs.Groups[1].Value);
        Assert.True(long.Parse(runs.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, output);
    }

    [Fact]
    public void File_with_an_onnx_vad_uses_it_for_speech_detection()
    {
        var dir = RepoPaths.NewTempDir();
        var vad = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        var (code, output, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", dir, "--vad", "onnx:" + vad);

        Assert.True(code == 0, error);
        // 30 s at 16 kHz is 938 chunks of 512 samples; the model decided each one.
        Assert.Contains("vad onnx:" + vad + ": 938 chunk(s)", output);
        Assert.NotEmpty(Rttm.ReadFile(Path.Combine(dir, "trn05.rttm"))["trn05"]);
    }

    [Fact]
    public void File_streaming_with_an_onnx_vad_detects_speech_live_with_the_model()
    {
        var dir = RepoPaths.NewTempDir();
        var vad = TestModels.Write(dir, "vad.onnx", TestModels.CountingVad());
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", Path.Combine(dir, "vad"), "--streaming", "--vad", "onnx:" + vad);
        var (energyCode, _, energyError) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", Path.Combine(dir, "energy"), "--streaming");

        Assert.True(code == 0, error);
        Assert.True(energyCode == 0, energyError);
        double Speech(string run) => Rttm.ReadFile(Path.Combine(dir, run, "trn05.rttm"))["trn05"].Sum(s => s.DurationSeconds);
        // The test VAD calls nearly every chunk of a meeting speech; the energy detector finds the pauses.
        Assert.InRange(Speech("vad"), 28, 30.01);
        Assert.True(Speech("energy") < 25, $"energy detector: {Speech("energy")} s of speech");
    }

    [Fact]
    public void An_unknown_vad_is_refused_with_the_choices()
    {
        var dir = RepoPaths.NewTempDir();
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", dir, "--streaming", "--vad", "silero");

        Assert.Equal(2, code);
        Assert.Contains("--vad silero: use energy or onnx:PATH", error);
    }

    [Fact]
    public void File_with_a_missing_model_fails_naming_the_path_before_reading_audio()
    {
        var dir = RepoPaths.NewTempDir();
        var missing = Path.Combine(dir, "absent.onnx");
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", dir, "--embedder", "onnx:" + missing);

        Assert.Equal(2, code);
        Assert.Contains(missing, error);
        Assert.Contains("not found", error);
        Assert.False(File.Exists(Path.Combine(dir, "trn05.rttm")));
    }

    [Fact]
    public void An_unknown_embedder_is_refused_with_the_choices()
    {
        var dir = RepoPaths.NewTempDir();
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", dir, "--embedder", "magic");

        Assert.Equal(2, code);
        Assert.Contains("features or onnx:PATH", error);
    }

    [GeneratedRegex(@"trn05: embedder onnx:\S+: (\d+)-dim embeddings, (\d+) model run\(s\)")]
    private static partial Regex RunsLine();
}
