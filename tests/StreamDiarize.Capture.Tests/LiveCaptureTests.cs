// Real capture: a file played into a private PulseAudio null sink comes back through each back end as the same audio.
using System.Diagnostics;
using StreamDiarize.Audio;
using StreamDiarize.Audio.Capture;
using StreamDiarize.Audio.Capture.Alsa;
using StreamDiarize.Audio.Capture.Pulse;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Capture.Tests;

public sealed class LiveCaptureTests(ITestOutputHelper output)
{
    private static readonly string Clip = RepoPaths.Ami("dev00.wav");

    private void AssertMatches(Core.Audio.AudioClip captured)
    {
        var reference = AudioLoader.LoadWav(Clip);
        var result = AudioAlignment.Align(reference, captured);
        output.WriteLine($"{captured.Id}: captured {captured.DurationSeconds:F2} s, lag {result.LagSamples / 16.0:F1} ms, " +
            $"aligned {result.Aligned.DurationSeconds:F2} s of {reference.DurationSeconds:F2} s, normalised cross-correlation {result.NormalizedCorrelation:F4}");

        var windows = AudioAlignment.WindowCorrelations(reference, captured, result.LagSamples);
        var sorted = windows.Order().ToArray();
        double median = sorted[sorted.Length / 2];
        int matching = windows.Count(c => c > 0.9);
        output.WriteLine($"  1-s windows: {matching}/{windows.Length} above 0.9, median {median:F4}, lowest {sorted[0]:F4}");

        // The whole-clip figure drops when the player (not the capture) underruns; each second must still be the file.
        Assert.True(matching >= windows.Length * 0.9, $"only {matching} of {windows.Length} one-second windows match (> 0.9)");
        Assert.True(median > 0.95, $"median window correlation {median:F4}");
        Assert.InRange(result.Aligned.DurationSeconds, reference.DurationSeconds - 0.5, reference.DurationSeconds + 0.5);
    }

    [SkippableFact]
    public async Task A_file_played_into_a_virtual_microphone_is_captured_intact_through_PulseAudio()
    {
        using var mic = VirtualMicrophone.Start();

        var captured = await mic.RecordPlaybackAsync(new PulseCaptureBackend(mic.Server), VirtualMicrophone.MonitorName, Clip);

        AssertMatches(captured);
    }

    [SkippableFact]
    public async Task A_file_played_into_a_virtual_microphone_is_captured_intact_through_ALSA_and_its_pulse_plugin()
    {
        using var mic = VirtualMicrophone.Start();
        Requirements.Library("libasound.so.2");
        // ALSA's "pulse" PCM (libasound2-plugins) connects wherever PULSE_SERVER points and records the default
        // source, which the daemon sets to vsink.monitor; "pulse:vsink.monitor" would name it explicitly.
        using var env = NativeEnvironment.Set("PULSE_SERVER", mic.Server);

        var captured = await mic.RecordPlaybackAsync(new AlsaCaptureBackend(), "pulse", Clip);

        AssertMatches(captured);
    }

    [SkippableFact]
    public async Task Raw_PCM_piped_from_sox_is_read_through_the_stdin_back_end_sample_for_sample()
    {
        Requirements.Tools("sox");
        var info = new ProcessStartInfo("sox") { ArgumentList = { Clip, "-t", "raw", "-e", "signed", "-b", "16", "-r", "16000", "-c", "1", "-" }, RedirectStandardOutput = true, UseShellExecute = false };
        using var sox = Process.Start(info)!;
        var backend = new RawStreamCaptureBackend(sox.StandardOutput.BaseStream, new RawPcmFormat(RawEncoding.S16LE, 16000, 1));
        await using var source = await CaptureAudioSource.OpenAsync(backend, new CaptureOptions(), CancellationToken.None);
        var samples = new List<float>();
        var buffer = new float[777];
        int n;
        while ((n = await source.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            samples.AddRange(buffer.AsSpan(0, n));
        }
        var reference = AudioLoader.LoadWav(Clip);

        var result = AudioAlignment.Align(reference, new Core.Audio.AudioClip("stdin", samples.ToArray(), 16000));
        output.WriteLine($"stdin: {samples.Count} samples of {reference.Samples.Length}, lag {result.LagSamples}, correlation {result.NormalizedCorrelation:F6}");

        Assert.Equal(reference.Samples.Length, samples.Count);
        Assert.Equal(0, result.LagSamples);
        Assert.True(result.NormalizedCorrelation > 0.999);
        Assert.Equal(0, source.OverflowSamples);
    }

    [SkippableFact]
    public void The_PulseAudio_device_list_shows_the_virtual_microphone_as_the_default_source()
    {
        using var mic = VirtualMicrophone.Start();

        var devices = new PulseCaptureBackend(mic.Server).ListDevices();

        var monitor = Assert.Single(devices, d => d.Name == VirtualMicrophone.MonitorName);
        Assert.True(monitor.IsDefault);
    }

    [SkippableFact]
    public void The_ALSA_device_list_offers_capture_devices_and_no_playback_only_ones()
    {
        Requirements.Library("libasound.so.2");

        var devices = new AlsaCaptureBackend().ListDevices();

        output.WriteLine(string.Join("\n", devices.Select(d => $"{d.Name}\t{d.Description}")));
        Assert.Contains(devices, d => d.Name == "pulse" || d.Name == "default" || d.Name.StartsWith("null", StringComparison.Ordinal));
    }
}
