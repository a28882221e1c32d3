// `sox x.wav -t raw - | streamdiarize file - --raw s16le --rate 16000`: the stdin path of the offline command, for real.
using System.Diagnostics;
using StreamDiarize.Audio;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Capture.Tests;

public sealed class FileStdinTests
{
    [SkippableFact]
    public async Task Raw_pcm_from_sox_on_stdin_diarizes_like_the_wav_file()
    {
        Requirements.Tools("sox");
        var dir = RepoPaths.NewTempDir();
        var wav = RepoPaths.Ami("dev01.wav");
        var dll = CliProcess.Dll;
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"set -o pipefail; sox '{wav}' -t raw -e signed -b 16 -r 16000 -c 1 - | dotnet '{dll}' file - --raw s16le --rate 16000 --id dev01 --out '{dir}'");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        Assert.Contains("dev01: 30.0 s", await stdout);

        var fromStdin = Rttm.ReadFile(Path.Combine(dir, "dev01.rttm"))["dev01"];
        var fromFile = new DefaultDiarizer().Diarize(AudioLoader.LoadWav(wav)).Segments;
        var truth = Rttm.ReadFile(RepoPaths.Ami("dev01.rttm"))["dev01"];
        var options = new DerOptions { CollarSeconds = 0.25 };
        double a = DerScorer.Score("dev01", truth, fromStdin, options).Der;
        double b = DerScorer.Score("dev01", truth, fromFile, options).Der;
        // 16-bit quantisation is the only difference between the two inputs.
        Assert.True(Math.Abs(a - b) <= 0.01, $"stdin {a:P2} vs file {b:P2}");
    }
}
