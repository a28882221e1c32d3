// The installable clients (clients/python, clients/node), installed as a user would into a clean folder and run
// against the real daemon on a real clip: the turns they print must be the daemon's.
using System.Globalization;
using StreamDiarize.Audio;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Server.Tests;

public sealed class ClientPackageTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    [SkippableFact]
    public async Task The_python_package_generated_installed_into_a_venv_streams_an_ami_clip_and_prints_the_daemons_turns()
    {
        Require(File.Exists(Python), $"{Python} is missing: apt-get install python3 python3-grpcio python3-grpc-tools python3-venv");
        var (probe, _, probeErr) = await RunAsync(Python, ["-c", "import grpc, grpc_tools.protoc, venv, ensurepip"], null);
        Require(probe == 0, $"{Python} lacks grpcio, grpc_tools or venv ({probeErr.Trim()}): apt-get install python3-grpcio python3-grpc-tools python3-venv");

        string work = RepoPaths.NewTempDir();
        string package = await PythonSourceCopy(work);
        string venv = Path.Combine(work, "venv");
        // Debian's grpcio and protobuf come in through the system site packages; nothing is fetched from PyPI.
        await Succeed(Python, ["-m", "venv", "--system-site-packages", venv], work);
        await Succeed(Path.Combine(venv, "bin", "pip"), ["install", "--no-build-isolation", "--no-deps", "--no-index", package], work);

        await using var daemon = await DaemonHost.StartAsync(factory: null);
        string stdout = await Succeed(Path.Combine(venv, "bin", "streamdiarize-client"),
            ["stream", RepoPaths.Ami("dev00.wav"), "--server", $"127.0.0.1:{daemon.GrpcPort}"], work);
        await AssertDaemonTurns(stdout);
    }

    [SkippableFact]
    public async Task The_node_package_packed_and_installed_into_a_clean_folder_streams_an_ami_clip_and_prints_the_daemons_turns()
    {
        // npm pack copies ../../protos into the package, as it would from the repository.
        string work = RepoPaths.NewTempDir();
        string package = await NodeSourceCopy(work);
        string packed = (await Succeed("npm", ["pack", "--silent"], package)).Trim().Split('\n')[^1];
        string clean = Path.Combine(work, "clean");
        Directory.CreateDirectory(clean);
        await Succeed("npm", ["install", "--no-audit", "--no-fund", "--silent", Path.Combine(package, packed)], clean);

        await using var daemon = await DaemonHost.StartAsync(factory: null);
        string stdout = await Succeed(Path.Combine(clean, "node_modules", ".bin", "streamdiarize-client"),
            ["stream", RepoPaths.Ami("dev00.wav"), "--server", $"127.0.0.1:{daemon.GrpcPort}"], clean);
        await AssertDaemonTurns(stdout);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        // client, why the daemon refuses the session
        { "python", "capacity" }, { "python", "quota" }, { "node", "capacity" }, { "node", "quota" },
    };

    /// <summary>
    /// A session the daemon refuses (at capacity: UNAVAILABLE before the config is read; at its session limit:
    /// RESOURCE_EXHAUSTED after it) while the client has a whole clip to send as fast as it can: the user reads the
    /// daemon's status and words, and the client sent no audio into the refused call (audio written into a refused
    /// call makes Kestrel close the whole HTTP/2 connection, which a client sharing it sees as a broken connection),
    /// because it sends audio only after SessionStarted. A relay in front of the daemon counts what the client sent.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_session_prints_the_daemons_status_and_words_and_exits_1(string client, string refusal)
    {
        var (file, args, workDir) = client == "python" ? await PythonFromSource() : await NodeFromSource();
        await using var daemon = refusal == "capacity"
            ? await DaemonHost.StartAsync(new AdmissionTests.SlowSessionFactory(TimeSpan.FromMilliseconds(20)), AdmissionTests.TightAdmission)
            : await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:MaxSessions", "1"));
        using var stop = new CancellationTokenSource();
        using var held = daemon.Client.Diarize(cancellationToken: stop.Token);
        // The held session: 60 s of audio, at half real-time speed when it must hold the daemon at capacity, so it is
        // still behind however long the client takes to start (with 6 s, a CI run's Node client started after the
        // session had caught up and was admitted). Sent in the background, as flow control holds a sender back while a
        // session falls behind; the test cancels it once the client has run.
        var holding = Task.Run(async () =>
        {
            try
            {
                await TestAudio.SendAsync(held.RequestStream, TestAudio.Noise(60), TestAudio.F32Config("held"), complete: false, stop.Token);
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or OperationCanceledException or InvalidOperationException)
            {
                // The test ends the held session by cancelling it.
            }
        });
        if (refusal == "capacity")
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
            await AdmissionTests.PollReadyz(http, until: r => r.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable);
        }
        else
        {
            await TestAudio.WaitForAsync(() => daemon.Registry.Count == 1);
        }

        await using var relay = new CountingTcpProxy(daemon.GrpcPort);
        var (code, stdout, stderr) = await RunAsync(file, [.. args, "stream", RepoPaths.Ami("dev00.wav"), "--server", $"127.0.0.1:{relay.Port}"], workDir);
        long sent = relay.ClientBytes;
        await stop.CancelAsync();
        await holding;

        output.WriteLine($"exit {code}, {sent} bytes sent\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Equal(1, code);
        string expected = refusal == "capacity"
            ? $"the daemon at 127.0.0.1:{relay.Port} answered UNAVAILABLE: the server is at capacity"
            : $"the daemon at 127.0.0.1:{relay.Port} answered RESOURCE_EXHAUSTED: the server is running its limit of 1 sessions (Server:MaxSessions)";
        Assert.StartsWith(expected, stderr.Trim(), StringComparison.Ordinal);
        Assert.Equal("", stdout);
        // dev00.wav is 32-bit float at 16 kHz: one 100 ms chunk is 6,400 bytes. HTTP/2's preface, settings, headers and
        // the config take far less.
        Assert.True(sent < 6400, $"the client sent {sent} bytes into a refused call: audio went out before SessionStarted");
    }

    /// <summary>The Python client run from a copy of its source, stubs generated: (python3, [-m, module], folder).</summary>
    private static async Task<(string File, string[] Args, string WorkDir)> PythonFromSource()
    {
        Require(File.Exists(Python), $"{Python} is missing: apt-get install python3 python3-grpcio python3-grpc-tools");
        return (Python, ["-m", "streamdiarize_client"], await PythonSourceCopy(RepoPaths.NewTempDir()));
    }

    /// <summary>The Node client run from a copy of its source with its dependencies installed: (node, [bin script], folder).</summary>
    private static async Task<(string File, string[] Args, string WorkDir)> NodeFromSource()
    {
        string package = await NodeSourceCopy(RepoPaths.NewTempDir());
        await Succeed("npm", ["install", "--no-audit", "--no-fund", "--silent", "--prefer-offline"], package);
        return ("node", [Path.Combine(package, "bin", "streamdiarize-client.js")], package);
    }

    /// <summary>clients/python copied into <paramref name="work"/> with its stubs generated from protos/; the copy's folder.</summary>
    private static async Task<string> PythonSourceCopy(string work)
    {
        string package = CopyTree(Path.Combine(RepoPaths.RepoRoot, "clients", "python"), Path.Combine(work, "python"), "_gen", "build", "node_modules");
        await Succeed(Python, [Path.Combine(package, "generate_stubs.py"), "--protos", Path.Combine(RepoPaths.RepoRoot, "protos")], package);
        return package;
    }

    /// <summary>clients/node and protos/ copied into <paramref name="work"/> as they sit in the repository; the package's folder.</summary>
    private static async Task<string> NodeSourceCopy(string work)
    {
        var (node, _, _) = await RunAsync("node", ["--version"], null);
        var (npm, _, _) = await RunAsync("npm", ["--version"], null);
        Require(node == 0 && npm == 0, "node or npm is missing: apt-get install nodejs npm (Node 18 or later)");
        CopyTree(Path.Combine(RepoPaths.RepoRoot, "protos"), Path.Combine(work, "protos"));
        return CopyTree(Path.Combine(RepoPaths.RepoRoot, "clients", "node"), Path.Combine(work, "clients", "node"), "node_modules", "protos");
    }

    /// <summary>The printed table ("start end speaker") holds the turns the same factory gives for the clip.</summary>
    private async Task AssertDaemonTurns(string stdout)
    {
        output.WriteLine(stdout);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["start", "end", "speaker"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var printed = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => new SpeakerSegment(double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture), p[2]))
            .ToList();
        var offline = await TestAudio.OfflineFinalSegments(IntegrationFactory.Default(), AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav")));
        Assert.NotEmpty(printed);
        double der = DerScorer.Score("dev00", offline, printed).Der;
        Assert.True(der < 0.01, $"the printed turns are {der:P2} DER from the daemon's own: {stdout}");
    }

    private static string CopyTree(string from, string to, params string[] skip)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var dir in Directory.EnumerateDirectories(from).Where(d => !skip.Contains(Path.GetFileName(d)) && !d.EndsWith(".egg-info", StringComparison.Ordinal)))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)), skip);
        }
        return to;
    }

    /// <summary>Skips locally, fails when CI=true, as every test of a system tool here does.</summary>
    private static void Require(bool present, string problem)
    {
        if (!present && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true and " + problem);
        }
        Skip.IfNot(present, problem);
    }

    private static Task<string> Succeed(string file, IEnumerable<string> args, string? workDir) => ChildProcess.SucceedAsync(file, args, workDir);

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, string? workDir) => ChildProcess.RunAsync(file, args, workDir);
}
