// A private PulseAudio daemon with a null sink: what is played into "vsink" can be captured from "vsink.monitor".
using System.Diagnostics;
using StreamDiarize.Audio;
using StreamDiarize.Audio.Capture;
using StreamDiarize.Audio.Capture.Pulse;
using StreamDiarize.Core.Audio;

namespace StreamDiarize.Capture.Tests;

/// <summary>
/// Starts `pulseaudio` in the foreground as a child process (so it is killed by its id at the end) with its own
/// socket, home and runtime folders under /tmp, a 16 kHz mono null sink, and the sink's monitor as default source.
/// </summary>
internal sealed class VirtualMicrophone : IDisposable
{
    public const string SinkName = "vsink";
    public const string MonitorName = "vsink.monitor";

    /// <summary>
    /// paplay's buffer. 20 ms underruns when the CPU is busy (load 6+ on 2 cores here): the sink then plays silence and
    /// the capture gains 100-170 ms gaps (correlation fell to 0.17-0.57). 250 ms measured gap-free with nothing lost at the start.
    /// </summary>
    public const int PlaybackLatencyMs = 250;

    private readonly Process _daemon;
    private readonly string _dir;

    private VirtualMicrophone(Process daemon, string dir)
    {
        _daemon = daemon;
        _dir = dir;
    }

    /// <summary>The server address, for PULSE_SERVER or <see cref="PulseCaptureBackend"/>.</summary>
    public string Server => $"unix:{_dir}/native";

    /// <summary>Skips (locally) or fails (CI) without pulseaudio and paplay; otherwise a running daemon.</summary>
    public static VirtualMicrophone Start()
    {
        Requirements.Tools("pulseaudio", "paplay");
        Requirements.Library("libpulse-simple.so.0");
        var dir = Path.Combine("/tmp", "sd-vmic-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "vmic.pa"), $"""
            load-module module-native-protocol-unix auth-anonymous=1 socket={dir}/native
            load-module module-null-sink sink_name={SinkName} rate=16000 channels=1
            set-default-source {MonitorName}
            """);
        var info = new ProcessStartInfo("pulseaudio")
        {
            ArgumentList = { "-n", "-F", Path.Combine(dir, "vmic.pa"), "--exit-idle-time=-1", "--daemonize=no", "--log-target=stderr", "--log-level=error" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Its own home and runtime folders keep it off any real PulseAudio on the machine.
        info.Environment["HOME"] = dir;
        info.Environment["XDG_RUNTIME_DIR"] = dir;
        info.Environment.Remove("PULSE_SERVER");
        var daemon = Process.Start(info) ?? throw new InvalidOperationException("pulseaudio did not start");
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.OutputDataReceived += (_, _) => { };
        daemon.BeginErrorReadLine();
        daemon.BeginOutputReadLine();
        var mic = new VirtualMicrophone(daemon, dir);
        var backend = new PulseCaptureBackend(mic.Server);
        var watch = Stopwatch.StartNew();
        string why = "";
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (daemon.HasExited)
            {
                mic.Dispose();
                throw new InvalidOperationException($"pulseaudio exited with {daemon.ExitCode} before its socket answered");
            }
            if (File.Exists(Path.Combine(dir, "native")) && backend.IsAvailable(TimeSpan.FromSeconds(1), out why))
            {
                return mic;
            }
            Thread.Sleep(50);
        }
        mic.Dispose();
        throw new InvalidOperationException("the private pulseaudio did not answer within 10 s: " + why);
    }

    /// <summary>Plays a file into the null sink with a bounded latency (with paplay's default of ~2 s, the first ~1.5 s is lost).</summary>
    public Process Play(string wavPath)
    {
        var info = new ProcessStartInfo("paplay")
        {
            ArgumentList = { "-d", SinkName, $"--latency-msec={PlaybackLatencyMs}", wavPath },
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        info.Environment["PULSE_SERVER"] = Server;
        return Process.Start(info) ?? throw new InvalidOperationException("paplay did not start");
    }

    /// <summary>
    /// Captures through <paramref name="backend"/> while <paramref name="wavPath"/> plays, for the file's duration plus
    /// <paramref name="tailSeconds"/>: the recording a microphone would have made. Used by the capture tests and meant
    /// for the end-to-end DER check (feed the result, or <see cref="AudioAlignment.Align"/>'s aligned part, to the pipeline).
    /// </summary>
    public async Task<AudioClip> RecordPlaybackAsync(ICaptureBackend backend, string? device, string wavPath, double tailSeconds = 1.5)
    {
        var reference = AudioLoader.LoadWav(wavPath);
        var options = new CaptureOptions { Device = device, MaxSeconds = reference.DurationSeconds + tailSeconds, RingSeconds = 10 };
        var collected = new List<float>((int)((reference.DurationSeconds + tailSeconds) * 16000));
        await using var source = await CaptureAudioSource.OpenAsync(backend, options, CancellationToken.None);
        using var player = Play(wavPath);
        var buffer = new float[1600];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(reference.DurationSeconds + tailSeconds + 20));
        int n;
        while ((n = await source.ReadAsync(buffer, guard.Token)) > 0)
        {
            collected.AddRange(buffer.AsSpan(0, n));
        }
        var playerErrors = await player.StandardError.ReadToEndAsync(guard.Token);
        await player.WaitForExitAsync(guard.Token);
        Assert.True(player.ExitCode == 0, $"paplay failed ({player.ExitCode}): {playerErrors}");
        Assert.Equal(0, source.OverflowSamples);
        return new AudioClip($"{Path.GetFileNameWithoutExtension(wavPath)}-{backend.Name}", collected.ToArray(), source.SampleRateHz);
    }

    public void Dispose()
    {
        try
        {
            if (!_daemon.HasExited)
            {
                _daemon.Kill();
                _daemon.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _daemon.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A socket left behind in /tmp is harmless.
        }
    }
}
