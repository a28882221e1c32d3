// Runs every command of README.md's code blocks, as written, so a README that lies fails the build.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Cli.Tests.Readme;

/// <summary>
/// A command is a line of a fenced code block whose first word is a program (streamdiarize, bin/streamdiarize, or
/// anything on PATH); other lines (sample output, the layout) are not commands. Each runs with bash in a scratch
/// folder that looks like the repository root: the repository's top-level entries linked in, ../shared beside it,
/// and the README's placeholder files (meeting.wav, a.wav, b.wav, AUDIO) linked to real AMI clips. Only three things
/// are rewritten: `dotnet run --project src/StreamDiarize.Cli -c Release --` and `streamdiarize` call the program the
/// build made (building it per command would take minutes each); `serve` gets free ports and runs in the background
/// until the end; `--server http://127.0.0.1:50051` points at it. The skip list names every command not run, and why.
/// </summary>
public sealed partial class ReadmeSmokeTests(ITestOutputHelper log)
{
    private static readonly (Regex Pattern, string Reason)[] Skips =
    [
        (new(@"^dotnet test\b"), "the test suite itself (this test is part of it)"),
        (new(@"^dotnet publish\b"), "publishing rebuilds every project for the runtime identifier (minutes here); the packaging tests publish, and the build's own program stands in for bin/streamdiarize"),
        (new(@"^dotnet pack\b"), "packing rebuilds the program; DotnetToolTests packs the build and installs it in a clean folder"),
        (new(@"^dotnet tool install\b"), "the packaging engineer's test installs the packed tool in a clean folder"),
        (new(@"^docker\b"), "this machine has no Docker engine (README: Docker)"),
        (new(@"streamdiarize mic( |$)(?!.*--input -.*--seconds)"), "needs a capture device and Ctrl-C; tests/StreamDiarize.Capture.Tests play meetings into a virtual microphone"),
        (new(@"^arecord\b"), "needs a capture device (see the mic tests)"),
    ];

    private static readonly Dictionary<string, string> Placeholders = new()
    {
        ["meeting.wav"] = "dev00.wav",
        ["a.wav"] = "dev00.wav",
        ["b.wav"] = "dev01.wav",
        ["AUDIO"] = "dev00.wav",
    };

    [Fact]
    public async Task Every_command_in_the_readme_runs_and_succeeds()
    {
        var commands = Extract(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "README.md")));
        Assert.True(commands.Count >= 10, $"only {commands.Count} commands found in README.md: did the extractor break?");
        string root = Scratch();
        string program = Path.Combine(Path.GetDirectoryName(CliProcess.Dll)!, "streamdiarize");
        Assert.True(File.Exists(program), program + " is missing: build the solution first");
        // `streamdiarize` on PATH and bin/streamdiarize are the program the build made.
        string pathDir = Path.Combine(root, "..", "path");
        Directory.CreateDirectory(pathDir);
        File.CreateSymbolicLink(Path.Combine(pathDir, "streamdiarize"), program);
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.CreateSymbolicLink(Path.Combine(root, "bin", "streamdiarize"), program);

        var ports = FreePorts.Take(3);
        int grpcPort = ports[0], httpPort = ports[1], natsPort = ports[2];
        Process? daemon = null, nats = null;
        var failures = new List<string>();
        var ran = 0;
        try
        {
            foreach (var (line, original) in commands)
            {
                if (Skips.FirstOrDefault(s => s.Pattern.IsMatch(line)) is { Reason: not null } skip)
                {
                    log.WriteLine($"skip: {original}\n      ({skip.Reason})");
                    continue;
                }
                string command = Rewrite(line, grpcPort, natsPort, Path.Combine(root, "..", "nats"));
                if (ProgramMissing(command) is { } missing)
                {
                    string problem = $"{missing} is not installed (.ci/run installs it): {original}";
                    Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "CI=true and " + problem);
                    log.WriteLine("skip: " + problem);
                    continue;
                }
                if (command.StartsWith("nats-server ", StringComparison.Ordinal))
                {
                    await StopAsync(nats);
                    nats = null;
                    nats = await StartNatsAsync(command, root, pathDir, natsPort);
                    log.WriteLine($"ok (background): {original}");
                    ran++;
                    continue;
                }
                if (IsServe(command))
                {
                    // One daemon at a time on the test's ports: a later `serve` line replaces the one before, which is
                    // stopped first (it was left running, holding the ports, before).
                    await StopAsync(daemon);
                    daemon = null;
                    daemon = await StartDaemonAsync(command + $" --grpc-port {grpcPort} --http-port {httpPort}", root, pathDir, httpPort);
                    log.WriteLine($"ok (background): {original}");
                    ran++;
                    continue;
                }
                if (command.Contains("--server", StringComparison.Ordinal) && daemon is null)
                {
                    daemon = await StartDaemonAsync($"streamdiarize serve --grpc-port {grpcPort} --http-port {httpPort}", root, pathDir, httpPort);
                }
                var clock = Stopwatch.StartNew();
                var (code, output) = await RunAsync(command, root, pathDir, TimeSpan.FromMinutes(5));
                ran++;
                log.WriteLine($"{(code == 0 ? "ok" : "FAILED")} ({clock.Elapsed.TotalSeconds:F1} s): {original}");
                if (code != 0)
                {
                    failures.Add($"`{original}` (run as `{command}`) exited with {code}:\n{Tail(output)}");
                }
            }
        }
        finally
        {
            await StopAsync(daemon);
            await StopAsync(nats);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} README command(s) failed:\n\n" + string.Join("\n\n", failures));
        Assert.True(ran >= 8, $"only {ran} README commands ran");
    }

    /// <summary>Every command line of the README's fenced code blocks: comments and optional-argument brackets removed.</summary>
    internal static List<(string Command, string Original)> Extract(string markdown)
    {
        var commands = new List<(string, string)>();
        bool inBlock = false;
        foreach (var raw in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock)
            {
                continue;
            }
            string line = TrailingComment().Replace(raw, "").Trim();
            if (line.StartsWith("$ ", StringComparison.Ordinal))
            {
                line = line[2..];
            }
            if (line.Length == 0 || !IsCommand(line))
            {
                continue;
            }
            // `[--json]` in a synopsis: run it with the option.
            commands.Add((OptionalGroup().Replace(line, "$1"), raw.Trim()));
        }
        return commands;
    }

    private static bool IsCommand(string line)
    {
        string first = line.Split(' ', 2)[0];
        return first is "streamdiarize" or "bin/streamdiarize" || (Regex.IsMatch(first, @"^[a-z][a-z0-9.+-]*$") && OnPath(first) is not null)
               || first is "docker" or "arecord" or "sox" or "npm" or "node" or "pip" or "python3";
    }

    private static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    /// <summary>The first program of each pipeline stage that is neither ours nor installed.</summary>
    private static string? ProgramMissing(string command) =>
        command.Split('|').Select(stage => stage.Trim().Split(' ', 2)[0])
            .FirstOrDefault(p => p is not ("streamdiarize" or "bin/streamdiarize") && OnPath(p) is null);

    private static bool IsServe(string command) => ServeCommand().IsMatch(command);

    private static string Rewrite(string line, int grpcPort, int natsPort, string natsDir)
    {
        string command = line.Replace("dotnet run --project src/StreamDiarize.Cli -c Release --", "streamdiarize", StringComparison.Ordinal);
        command = command.Replace("nats://127.0.0.1:4222", $"nats://127.0.0.1:{natsPort}", StringComparison.Ordinal);
        if (command.StartsWith("nats-server ", StringComparison.Ordinal))
        {
            // The README's JetStream server, on this run's own port and store.
            command = NatsPort().Replace(command, $"-p {natsPort}");
            command = NatsStore().Replace(command, $"-sd {natsDir}");
        }
        return command.Replace("http://127.0.0.1:50051", $"http://127.0.0.1:{grpcPort}", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"-p \d+")]
    private static partial Regex NatsPort();

    [GeneratedRegex(@"-sd \S+")]
    private static partial Regex NatsStore();

    private static async Task<Process> StartNatsAsync(string command, string root, string pathDir, int port)
    {
        var process = Process.Start(Bash("exec " + command, root, pathDir))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, $"`{command}` exited with {(process.HasExited ? process.ExitCode : 0)}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"`{command}` did not accept connections on port {port} in 30 s");
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return process;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>A folder that looks like the repository root (its entries linked), with ../shared beside it and the placeholder clips.</summary>
    private static string Scratch()
    {
        string top = RepoPaths.NewTempDir();
        string root = Path.Combine(top, "repo");
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Combine(top, "shared"), RepoPaths.Shared);
        foreach (var entry in Directory.EnumerateFileSystemEntries(RepoPaths.RepoRoot))
        {
            string name = Path.GetFileName(entry);
            if (name is "bin" or "out" || name.StartsWith('.'))
            {
                continue;
            }
            if (Directory.Exists(entry))
            {
                Directory.CreateSymbolicLink(Path.Combine(root, name), entry);
            }
            else
            {
                File.CreateSymbolicLink(Path.Combine(root, name), entry);
            }
        }
        foreach (var (placeholder, clip) in Placeholders)
        {
            File.CreateSymbolicLink(Path.Combine(root, placeholder), RepoPaths.Ami(clip));
        }
        return root;
    }

    private static ProcessStartInfo Bash(string command, string root, string pathDir)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-o");
        info.ArgumentList.Add("pipefail");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        info.Environment["PATH"] = pathDir + ":" + Environment.GetEnvironmentVariable("PATH");
        info.Environment["NO_COLOR"] = "1";
        // `enroll` and `--known` use the per-user data folder: this run's own, beside the scratch copy, so no profile
        // of the machine's user is read or written and a second run starts empty.
        info.Environment["XDG_DATA_HOME"] = Path.Combine(pathDir, "..", "data");
        return info;
    }

    private static async Task<(int Code, string Output)> RunAsync(string command, string root, string pathDir, TimeSpan limit)
    {
        using var process = Process.Start(Bash(command, root, pathDir))!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"did not end within {limit.TotalMinutes} min\n" + await stdout + await stderr);
        }
        return (process.ExitCode, output.Append(await stdout).Append(await stderr).ToString());
    }

    private static async Task StopAsync(Process? daemon)
    {
        if (daemon is { HasExited: false })
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
        }
        daemon?.Dispose();
    }

    private static async Task<Process> StartDaemonAsync(string command, string root, string pathDir, int httpPort)
    {
        // exec: the daemon is bash's process itself, so killing it stops the daemon.
        var process = Process.Start(Bash("exec " + command, root, pathDir))!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, $"`{command}` exited with {(process.HasExited ? process.ExitCode : 0)}: {log}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"`{command}` did not answer /healthz in 60 s: {log}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{httpPort}/healthz")).IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
    }

    private static string Tail(string text)
    {
        var lines = text.TrimEnd().Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 15)));
    }

    [GeneratedRegex(@"\s+#\s.*$")]
    private static partial Regex TrailingComment();

    [GeneratedRegex(@"\[(--[^\]]+)\]")]
    private static partial Regex OptionalGroup();

    [GeneratedRegex(@"^(bin/)?streamdiarize serve\b")]
    private static partial Regex ServeCommand();
}
