// The installable program: the CLI packed as a .NET tool, installed into a clean folder as a user would, runs `file`
// on a real clip and writes what the repository's own build writes.
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Cli.Tests.Packaging;

public sealed class DotnetToolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_packed_tool_installs_into_a_clean_folder_and_its_streamdiarize_file_writes_the_same_rttm_as_the_build()
    {
        string configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(CliProcess.Dll))!)!;
        string work = RepoPaths.NewTempDir();
        try
        {
            string feed = Path.Combine(work, "feed");
            // The CLI the tests run is already built: pack exactly that build.
            await ChildProcess.SucceedAsync("dotnet", ["pack", Path.Combine(RepoPaths.RepoRoot, "src", "StreamDiarize.Cli"), "-c", configuration, "--no-build", "-o", feed],
                timeout: TimeSpan.FromMinutes(10));
            string package = Path.GetFileName(Assert.Single(Directory.GetFiles(feed, "StreamDiarize.*.nupkg")));
            string version = package["StreamDiarize.".Length..^".nupkg".Length];
            long megabytes = new FileInfo(Path.Combine(feed, package)).Length >> 20;
            output.WriteLine($"{package}: {megabytes} MB");
            Assert.True(megabytes < 250, $"the tool package is {megabytes} MB: native debug symbols or mobile builds came back in (see DropNativeFilesNoDesktopLoads)");

            // A folder with nothing of the repository in it, as after `git clone` elsewhere or on a user's machine.
            string clean = Path.Combine(work, "clean");
            Directory.CreateDirectory(clean);
            string tools = Path.Combine(work, "tools");
            await ChildProcess.SucceedAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "StreamDiarize", "--version", version], clean,
                TimeSpan.FromMinutes(5));
            string installed = Path.Combine(tools, OperatingSystem.IsWindows() ? "streamdiarize.exe" : "streamdiarize");
            Assert.Contains(version, await ChildProcess.SucceedAsync(installed, ["version"], clean), StringComparison.Ordinal);
            await ChildProcess.SucceedAsync(installed, ["file", RepoPaths.Ami("dev00.wav"), "--out", "out"], clean);

            string built = Path.Combine(work, "built");
            await ChildProcess.SucceedAsync("dotnet", [CliProcess.Dll, "file", RepoPaths.Ami("dev00.wav"), "--out", built], clean);
            string rttm = await File.ReadAllTextAsync(Path.Combine(clean, "out", "dev00.rttm"));
            Assert.Contains("SPEAKER dev00 1 ", rttm, StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(built, "dev00.rttm")), rttm);
        }
        finally
        {
            RepoPaths.DeleteTempDir(work); // close to a gigabyte
        }
    }
}
