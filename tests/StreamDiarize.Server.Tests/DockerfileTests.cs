// The Dockerfile, checked as far as a machine without a Docker engine allows: a Dockerfile linter (dockerfile-utils,
// from npm; hadolint has no Debian or npm package), and the files, project and ports it names exist and agree.
using System.Text.RegularExpressions;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class DockerfileTests
{
    private const string Linter = "dockerfile-utils@0.16.3";

    private static string Dockerfile => Path.Combine(RepoPaths.RepoRoot, "Dockerfile");

    [SkippableFact]
    public async Task The_dockerfile_passes_dockerfile_utils_lint_which_fails_a_broken_copy()
    {
        var (npm, _, _) = await ChildProcess.RunAsync("npm", ["--version"]);
        if (npm != 0 && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true and npm is missing: apt-get install nodejs npm");
        }
        Skip.If(npm != 0, "npm is missing: apt-get install nodejs npm");
        string work = RepoPaths.NewTempDir();
        await ChildProcess.SucceedAsync("npm", ["install", "--no-audit", "--no-fund", "--silent", Linter], work);
        string lint = Path.Combine(work, "node_modules", ".bin", "dockerfile-utils");

        var (code, stdout, stderr) = await ChildProcess.RunAsync(lint, ["lint", Dockerfile], work);
        Assert.True(code == 0, $"dockerfile-utils lint found problems in the Dockerfile: {stdout}{stderr}");

        // The linter can fail: the same file with an instruction emptied and a port misspelt does.
        string broken = Path.Combine(work, "Dockerfile.broken");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(Dockerfile)).Replace("EXPOSE 50051 8080", "EXPOSE 50051 http").Replace("USER app", "USER"));
        var (brokenCode, brokenOut, _) = await ChildProcess.RunAsync(lint, ["lint", broken], work);
        Assert.NotEqual(0, brokenCode);
        Assert.Contains("Invalid containerPort: http", brokenOut, StringComparison.Ordinal);
        Assert.Contains("Instruction has no arguments", brokenOut, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dockerfile_builds_the_cli_project_copies_files_that_exist_and_exposes_the_daemons_default_ports()
    {
        string text = File.ReadAllText(Dockerfile);
        var published = Regex.Match(text, @"dotnet publish (\S+\.csproj)").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(RepoPaths.RepoRoot, published)), $"the Dockerfile publishes {published}, which does not exist");
        foreach (Match copy in Regex.Matches(text, @"^COPY (?!--from)(\S+) ", RegexOptions.Multiline))
        {
            string source = copy.Groups[1].Value;
            Assert.True(source == "." || Directory.Exists(Path.Combine(RepoPaths.RepoRoot, source)) || File.Exists(Path.Combine(RepoPaths.RepoRoot, source)),
                $"the Dockerfile copies {source}, which does not exist");
        }
        var defaults = new ServerOptions();
        Assert.Matches($@"(?m)^EXPOSE {defaults.GrpcPort} {defaults.HttpPort}$", text);
        Assert.Matches(@"(?m)^ENTRYPOINT \[""/app/streamdiarize""\]$", text);
        Assert.Contains("<AssemblyName>streamdiarize</AssemblyName>", File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, published)), StringComparison.Ordinal);
    }
}
