// `streamdiarize mic` when its PulseAudio server dies mid-meeting: the turns already final are written, then the error.
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Capture.Tests;

public sealed class MicAudioServerLossTests
{
    [SkippableFact]
    public async Task The_mic_command_writes_the_turns_it_has_when_the_audio_server_dies_then_reports_the_error()
    {
        var dir = RepoPaths.NewTempDir();
        var stderr = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        System.Diagnostics.Process cli;
        using (var mic = VirtualMicrophone.Start())
        {
            cli = MicCommandDerTests.StartCli(mic.Server, line =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                }
                if (line.Contains("listening on", StringComparison.Ordinal))
                {
                    listening.TrySetResult();
                }
            }, "mic", "--backend", "pulse", "--device", VirtualMicrophone.MonitorName, "--out", dir, "--id", "cut");
            var started = await Task.WhenAny(listening.Task, cli.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(started == listening.Task, "mic did not start listening: " + stderr);
            using var player = mic.Play(RepoPaths.Ami("dev00.wav"));
            // Twenty seconds of the meeting, then the audio server disappears (disposing kills it by its id).
            await Task.Delay(TimeSpan.FromSeconds(20));
        }
        using (cli)
        {
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(cli.ExitCode == 1, $"mic exited {cli.ExitCode}: {stderr}");
            Assert.Contains("error:", stderr.ToString());
            var rttm = Path.Combine(dir, "cut.rttm");
            Assert.True(File.Exists(rttm), "no RTTM written: " + stderr);
            var turns = Rttm.ReadFile(rttm)["cut"];
            Assert.NotEmpty(turns);
            Assert.True(File.Exists(Path.Combine(dir, "cut.json")));
        }
    }
}
