// The progress display stays off the output when stderr is not a terminal: a pipe gets plain lines, no escape codes or spinner.
using System.Diagnostics;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public sealed class ProgressDisplayTests
{
    [Fact]
    public async Task A_run_longer_than_the_delay_writes_no_spinner_or_escape_codes_into_a_piped_stderr()
    {
        // --method seed on a 30 s clip takes several seconds: past the 2 s delay after which a terminal gets a spinner.
        var info = CliProcess.StartInfo(["file", RepoPaths.Ami("dev00.wav"), "--out", RepoPaths.NewTempDir(), "--method", "seed"]);
        info.Environment.Remove("NO_COLOR");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.True(clock.Elapsed > StreamDiarize.Cli.Commands.ProgressDisplay.Delay, $"the run took only {clock.Elapsed}: it proves nothing about the delay");
        string error = await stderr;
        Assert.DoesNotContain('\u001b', error);
        Assert.DoesNotContain("diarizing", error, StringComparison.Ordinal);
        Assert.StartsWith("note: the speaker count is estimated", error, StringComparison.Ordinal);
        Assert.Contains("(estimated)", await stdout, StringComparison.Ordinal);
    }
}

public sealed class ProgressDisplayTerminalTests
{
    [SkippableFact]
    public async Task On_a_terminal_a_long_run_shows_the_spinner_line_and_with_quiet_it_does_not()
    {
        const string Tmux = "/usr/bin/tmux";
        if (!File.Exists(Tmux))
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "CI=true and tmux is missing: apt-get install -y tmux");
            Skip.If(true, "tmux is missing: apt-get install -y tmux");
        }
        Assert.True(await SeesSpinnerAsync(Tmux, quiet: false), "no 'diarizing ... of audio' line appeared on the terminal during a long run");
        Assert.False(await SeesSpinnerAsync(Tmux, quiet: true), "--quiet still drew the progress line");
    }

    /// <summary>
    /// Runs `file --method seed` in a detached tmux pane (a real terminal) and watches the pane until the run ends. Each
    /// call has a tmux server of its own (`-S`, a socket in a fresh temporary folder): it starts with this process's
    /// environment and directory, and no other server's sessions or state can get in its way.
    /// </summary>
    private static async Task<bool> SeesSpinnerAsync(string tmux, bool quiet)
    {
        string socket = Path.Combine(RepoPaths.NewTempDir(), "tmux.sock");
        const string Session = "run";
        string done = Path.Combine(RepoPaths.NewTempDir(), "done");
        string command = $"dotnet {CliProcess.Dll} file {RepoPaths.Ami("dev00.wav")} --out {RepoPaths.NewTempDir()} --method seed{(quiet ? " --quiet" : "")}; touch {done}; sleep 60";
        var started = await Run(tmux, "-S", socket, "new-session", "-d", "-s", Session, "-x", "200", "-y", "20", command);
        try
        {
            Assert.True(started.ExitCode == 0, $"tmux new-session failed ({started.ExitCode}): {started.Error}");
            var clock = Stopwatch.StartNew();
            string pane = "";
            while (!File.Exists(done) && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                pane = (await Run(tmux, "-S", socket, "capture-pane", "-p", "-t", Session)).Output;
                if (pane.Contains("of audio", StringComparison.Ordinal))
                {
                    return true;
                }
                await Task.Delay(200);
            }
            Assert.True(File.Exists(done), $"the run did not end within 3 minutes; the pane shows:\n{pane}");
            return false;
        }
        finally
        {
            await Run(tmux, "-S", socket, "kill-server");
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
