// A real Python gRPC client (grpcio, stubs generated from protos/ only) against the real daemon on loopback.
using System.Diagnostics;
using System.Text.Json;
using StreamDiarize.Audio;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class PythonClientTests
{
    private const string Python = "/usr/bin/python3";

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips locally, fails in CI, when /usr/bin/python3 with grpcio and grpc_tools is missing.</summary>
    private static void RequirePythonGrpc()
    {
        string? problem = null;
        if (!File.Exists(Python))
        {
            problem = $"{Python} is missing: apt-get install python3 python3-grpcio python3-grpc-tools";
        }
        else
        {
            var (code, _, err) = Run(Python, ["-c", "import grpc, grpc_tools.protoc"], TimeSpan.FromSeconds(30));
            if (code != 0)
            {
                problem = $"{Python} cannot import grpc and grpc_tools ({err.Trim()}): apt-get install python3-grpcio python3-grpc-tools";
            }
        }
        if (problem is not null && InCi)
        {
            Assert.Fail("CI=true and " + problem);
        }
        Skip.If(problem is not null, problem);
    }

    [SkippableFact]
    public async Task A_python_client_streams_an_ami_clip_and_its_rttm_scores_within_one_der_point_of_the_same_factory_offline_and_sees_health_and_reflection()
    {
        RequirePythonGrpc();
        // The daemon runs with its default factory registration; the offline reference uses the same one.
        await using var daemon = await DaemonHost.StartAsync(factory: null);
        var wav = RepoPaths.Ami("dev00.wav");
        var rttm = Path.Combine(RepoPaths.NewTempDir(), "dev00.rttm");
        var script = Path.Combine(AppContext.BaseDirectory, "python", "stream_client.py");

        var (code, stdout, stderr) = await Task.Run(() => Run(Python,
            [script, "--server", $"127.0.0.1:{daemon.GrpcPort}", "--protos", Path.Combine(RepoPaths.RepoRoot, "protos"), "--wav", wav, "--rttm", rttm, "--file-id", "dev00"],
            TimeSpan.FromMinutes(5)));

        Assert.True(code == 0, $"python client exited {code}: {stderr}");
        using var report = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        Assert.Equal("SERVING", report.RootElement.GetProperty("health").GetString());
        var services = report.RootElement.GetProperty("services").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("streamdiarize.v1.Diarizer", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Equal(1, report.RootElement.GetProperty("events").GetProperty("session_ended").GetInt32());

        var offline = await TestAudio.OfflineFinalSegments(IntegrationFactory.Default(), AudioLoader.LoadWav(wav));
        var streamed = Rttm.ReadFile(rttm)["dev00"];
        var der = DerScorer.Score("dev00", offline, streamed);
        Assert.NotEmpty(offline);
        Assert.True(der.Der < 0.01, $"DER of the streamed result against the offline one is {der.Der:P2}: the transport changed the result");
    }

    [SkippableFact]
    public async Task A_python_client_enrolls_a_real_voice_lists_it_is_told_who_speaks_and_deletes_it()
    {
        RequirePythonGrpc();
        var dir = RepoPaths.NewTempDir();
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:DataDirectory", dir));
        var voices = new StreamDiarize.Profiles.Tests.RealVoices("dev_2spk_10min");
        string enrollWav = Path.Combine(dir, "lj.wav"), wav = Path.Combine(dir, "rest.wav");
        WriteFloatWav(enrollWav, voices.EnrollmentClip("LJ").Samples);
        WriteFloatWav(wav, voices.Rest.Samples);
        var script = Path.Combine(AppContext.BaseDirectory, "python", "profiles_client.py");

        var (code, stdout, stderr) = await Task.Run(() => Run(Python,
            [script, "--server", $"127.0.0.1:{daemon.GrpcPort}", "--protos", Path.Combine(RepoPaths.RepoRoot, "protos"), "--name", "Linda",
                "--enroll-wav", enrollWav, "--wav", wav],
            TimeSpan.FromMinutes(5)));

        Assert.True(code == 0, $"python client exited {code}: {stderr}");
        using var report = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var root = report.RootElement;
        Assert.Equal("features/v1", root.GetProperty("enrolled").GetProperty("kind").GetString());
        Assert.Equal(["Linda"], root.GetProperty("listed").EnumerateArray().Select(e => e.GetString()));
        var identified = Assert.Single(root.GetProperty("identified").EnumerateArray());
        Assert.Equal("Linda", identified.GetProperty("name").GetString());
        Assert.True(root.GetProperty("named_turns").GetInt32() > 0);
        // Enrolled again from the live session: the same profile, now of two clips.
        var fromSession = root.GetProperty("from_session");
        Assert.True(fromSession.TryGetProperty("clips", out var clips), fromSession.ToString());
        Assert.Equal(2, clips.GetInt32());
        Assert.Equal("NOT_FOUND", root.GetProperty("second_delete").GetString());
        Directory.Delete(dir, recursive: true);
    }

    private static void WriteFloatWav(string path, float[] samples)
    {
        using var writer = new NAudio.Wave.WaveFileWriter(path, NAudio.Wave.WaveFormat.CreateIeeeFloatWaveFormat(16000, 1));
        writer.WriteSamples(samples, 0, samples.Length);
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout.Result, "timed out after " + timeout + ": " + stderr.Result);
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
