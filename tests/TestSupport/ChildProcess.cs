// Runs a program to its end with both output streams captured: how tests drive package managers, installers and
// installed commands (pip, npm, dotnet pack/tool/publish) as a user would.
using System.Diagnostics;

namespace StreamDiarize.TestSupport;

internal static class ChildProcess
{
    /// <summary>
    /// Exit code (-1 when the program cannot start or times out), stdout and stderr; <paramref name="environment"/> is added
    /// to the inherited environment.
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, string? workDir = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workDir is not null)
        {
            start.WorkingDirectory = workDir;
        }
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"{file} cannot start: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var limit = timeout ?? TimeSpan.FromMinutes(5);
            using var cancel = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, await stdout, $"timed out after {limit.TotalSeconds:F0} s: " + await stderr);
            }
            return (process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>Runs the program and returns its stdout, failing the test with both streams when it exits non-zero.</summary>
    public static async Task<string> SucceedAsync(string file, IEnumerable<string> args, string? workDir = null, TimeSpan? timeout = null)
    {
        var (code, stdout, stderr) = await RunAsync(file, args, workDir, timeout);
        Xunit.Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        return stdout;
    }
}
