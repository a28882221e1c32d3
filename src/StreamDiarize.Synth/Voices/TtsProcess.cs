// Runs a TTS program as a child process (argument list, no shell) and collects its exit code and messages.
using System.ComponentModel;
using System.Diagnostics;

namespace StreamDiarize.Synth.Voices;

internal static class TtsProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs <paramref name="executable"/>; returns null when it cannot be started (not installed).</summary>
    public static Result? TryRun(string executable, IEnumerable<string> arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception($"{executable} did not start");
        }
        catch (Win32Exception)
        {
            return null;
        }
        using (process)
        {
            // Both pipes are drained concurrently: flite can write enough warnings to fill stderr and block.
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                process.WaitForExitAsync(ct).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return new Result(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
    }
}
