// The whole microphone path, for real: `streamdiarize mic` captures a meeting played into a virtual microphone
// (PulseAudio directly, and ALSA through its pulse plugin) and must diarize it as well as the file path does.
using System.Diagnostics;
using StreamDiarize.Audio;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Capture.Tests;

public sealed class MicCommandDerTests(ITestOutputHelper output)
{
    private const string Id = "dev00";

    [SkippableTheory]
    [InlineData("pulse", VirtualMicrophone.MonitorName)]
    [InlineData("alsa", "pulse")]
    public async Task The_mic_command_diarizes_a_played_meeting_within_two_points_of_the_file_path(string backend, string device)
    {
        if (backend == "alsa")
        {
            Requirements.Library("libasound.so.2");
        }
        using var mic = VirtualMicrophone.Start();
        var dir = RepoPaths.NewTempDir();
        var wav = Path.Combine(dir, "captured.wav");
        var clipPath = RepoPaths.Ami(Id + ".wav");
        var reference = AudioLoader.LoadWav(clipPath);

        var stderr = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cli = StartCli(mic.Server, line =>
        {
            lock (stderr)
            {
                stderr.AppendLine(line);
            }
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }, "mic", "--backend", backend, "--device", device, "--seconds", "34", "--out", dir, "--id", "captured", "--save-audio", wav);
        var started = await Task.WhenAny(listening.Task, cli.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(started == listening.Task, "mic did not start listening: " + stderr);
        using (var player = mic.Play(clipPath))
        {
            await player.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(0, player.ExitCode);
        }
        await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(cli.ExitCode == 0, $"mic exited {cli.ExitCode}: {stderr}");

        // Where the meeting starts in the capture: the captured audio (saved by the command) aligned to the file.
        var captured = AudioLoader.LoadWav(wav);
        var alignment = AudioAlignment.Align(reference, captured);
        double offset = alignment.LagSamples / 16000.0;
        var hypothesis = Rttm.ReadFile(Path.Combine(dir, "captured.rttm"))["captured"]
            .Select(s => new SpeakerSegment(s.StartSeconds - offset, s.EndSeconds - offset, s.Speaker))
            .Where(s => s.EndSeconds > 0 && s.StartSeconds < reference.DurationSeconds)
            .ToList();

        var truth = Rttm.ReadFile(RepoPaths.Ami(Id + ".rttm"))[Id];
        var filePath = await StreamingRunner.RunAsync(reference, new DefaultSessionFactory(), new SessionOptions());
        var options = new DerOptions { CollarSeconds = 0.25 };
        double micDer = DerScorer.Score(Id, truth, hypothesis, options).Der;
        double fileDer = DerScorer.Score(Id, truth, filePath.Segments, options).Der;
        output.WriteLine($"{backend}: capture offset {offset:F3} s, correlation {alignment.NormalizedCorrelation:F3}; DER mic {micDer:P2}, file {fileDer:P2}");
        Assert.True(Math.Abs(micDer - fileDer) <= 0.02, $"mic DER {micDer:P2} vs file DER {fileDer:P2}");
    }

    internal static Process StartCli(string pulseServer, Action<string> onErrorLine, params string[] args)
    {
        var info = CliProcess.StartInfo(args);
        info.Environment["PULSE_SERVER"] = pulseServer;
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onErrorLine(e.Data);
            }
        };
        // Drain stdout too, so the live view never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }
}
