// How tests start the built `streamdiarize` CLI as a child process (the same build configuration as the test).
using System.Diagnostics;

namespace StreamDiarize.TestSupport;

internal static class CliProcess
{
    /// <summary>The built CLI of the test's own configuration; throws when it is not built.</summary>
    public static string Dll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = Path.Combine(RepoPaths.RepoRoot, "src", "StreamDiarize.Cli", "bin", configuration, "net10.0", "streamdiarize.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is not built: build StreamDiarize.sln first");
        }
    }

    /// <summary>`dotnet streamdiarize.dll ARGS` with both output streams redirected and colours off.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var dll = Dll;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["NO_COLOR"] = "1";
        return info;
    }
}
