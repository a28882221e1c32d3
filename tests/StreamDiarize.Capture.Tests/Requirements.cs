// Decides whether a test that needs PulseAudio tools or sox runs: skipped locally without them, failed on CI (CI=true).
namespace StreamDiarize.Capture.Tests;

internal static class Requirements
{
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (locally) or fails (CI) unless every tool is on PATH.</summary>
    public static void Tools(params string[] tools)
    {
        var missing = tools.Where(t => FindOnPath(t) is null).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var why = $"needs {string.Join(", ", missing)} on PATH (apt-get install pulseaudio pulseaudio-utils alsa-utils libasound2-plugins sox)";
        if (OnCi)
        {
            throw new InvalidOperationException("CI must have the capture tools installed: " + why);
        }
        Skip.If(true, why);
    }

    /// <summary>Skips (locally) or fails (CI) unless the native library loads.</summary>
    public static void Library(string name)
    {
        if (System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out _))
        {
            return;
        }
        if (OnCi)
        {
            throw new InvalidOperationException($"CI must have {name} installed");
        }
        Skip.If(true, $"needs {name} (apt-get install libpulse0 libasound2)");
    }

    public static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
}
