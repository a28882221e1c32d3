// The self-contained single file for linux-x64, published as the README says and run from a clean folder: one
// program file, no .NET beside it, the same RTTM as the repository's build.
using System.Runtime.InteropServices;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Cli.Tests.Packaging;

public sealed class SingleFileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_linux_x64_single_file_publish_is_one_program_that_runs_file_on_a_real_clip_like_the_build()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            output.WriteLine("not checked: the linux-x64 single file runs on linux-x64 only");
            return;
        }
        string configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(CliProcess.Dll))!)!;
        string work = RepoPaths.NewTempDir();
        try
        {
            string dist = Path.Combine(work, "dist");
            await ChildProcess.SucceedAsync("dotnet",
                ["publish", Path.Combine(RepoPaths.RepoRoot, "src", "StreamDiarize.Cli"), "-c", configuration, "-r", "linux-x64", "-p:PublishSingleFile=true", "--self-contained", "-o", dist],
                timeout: TimeSpan.FromMinutes(15));

            // One program; beside it only debug symbols.
            var files = Directory.GetFiles(dist).Select(Path.GetFileName).ToList();
            Assert.Equal(["streamdiarize"], files.Where(f => !f!.EndsWith(".pdb", StringComparison.Ordinal)));
            long megabytes = new FileInfo(Path.Combine(dist, "streamdiarize")).Length >> 20;
            output.WriteLine($"streamdiarize: {megabytes} MB");

            string clean = Path.Combine(work, "clean");
            Directory.CreateDirectory(clean);
            string program = Path.Combine(dist, "streamdiarize");
            await ChildProcess.SucceedAsync(program, ["file", RepoPaths.Ami("dev00.wav"), "--out", "out"], clean);
            string built = Path.Combine(work, "built");
            await ChildProcess.SucceedAsync("dotnet", [CliProcess.Dll, "file", RepoPaths.Ami("dev00.wav"), "--out", built], clean);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(built, "dev00.rttm")), await File.ReadAllTextAsync(Path.Combine(clean, "out", "dev00.rttm")));
        }
        finally
        {
            RepoPaths.DeleteTempDir(work); // close to a gigabyte
        }
    }
}
