// Capture errors arrive quickly and say which device, what went wrong and what to do.
using System.Diagnostics;
using StreamDiarize.Audio.Capture;
using StreamDiarize.Audio.Capture.Alsa;
using StreamDiarize.Audio.Capture.Pulse;

namespace StreamDiarize.Capture.Tests;

public sealed class CaptureErrorTests
{
    [SkippableFact]
    public async Task With_PULSE_SERVER_on_a_missing_socket_opening_fails_fast_saying_PulseAudio_is_not_running()
    {
        Requirements.Library("libpulse-simple.so.0");
        var server = $"unix:/tmp/sd-nonexistent-{Guid.NewGuid():N}/native";
        using var env = NativeEnvironment.Set("PULSE_SERVER", server);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CaptureException>(() =>
            CaptureAudioSource.OpenAsync(new PulseCaptureBackend(), new CaptureOptions { Device = "my-mic" }, CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(CaptureErrorKind.ServerUnavailable, error.Kind);
        Assert.Contains("'my-mic'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"PulseAudio is not running (connection refused at {server})", error.Message, StringComparison.Ordinal);
        Assert.Contains("pulseaudio --start", error.Message, StringComparison.Ordinal);
        Assert.Contains("--backend alsa", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Listing_devices_without_a_server_fails_fast_instead_of_hanging()
    {
        Requirements.Library("libpulse.so.0");
        var backend = new PulseCaptureBackend($"unix:/tmp/sd-nonexistent-{Guid.NewGuid():N}/native");
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<CaptureException>(() => backend.ListDevices());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Contains("PulseAudio is not running", error.Message, StringComparison.Ordinal);
        Assert.False(backend.IsAvailable(TimeSpan.FromSeconds(1), out var why));
        Assert.Contains("connection refused", why, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_unknown_PulseAudio_source_is_named_in_the_error_with_the_way_to_list_devices()
    {
        using var mic = VirtualMicrophone.Start();

        var error = await Assert.ThrowsAsync<CaptureException>(() =>
            CaptureAudioSource.OpenAsync(new PulseCaptureBackend(mic.Server), new CaptureOptions { Device = "no-such-mic" }, CancellationToken.None));

        Assert.Equal(CaptureErrorKind.NoSuchDevice, error.Kind);
        Assert.Equal("no-such-mic", error.Device);
        Assert.StartsWith("no capture device named 'no-such-mic'", error.Message, StringComparison.Ordinal);
        Assert.Contains("streamdiarize mic --backend pulse --list-devices", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_unknown_ALSA_device_is_named_in_the_error_with_the_way_to_list_devices()
    {
        Requirements.Library("libasound.so.2");

        var error = await Assert.ThrowsAsync<CaptureException>(() =>
            CaptureAudioSource.OpenAsync(new AlsaCaptureBackend(), new CaptureOptions { Device = "no_such_pcm" }, CancellationToken.None));

        Assert.Equal(CaptureErrorKind.NoSuchDevice, error.Kind);
        Assert.StartsWith("no capture device named 'no_such_pcm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("--list-devices", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_back_end_name_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => CaptureBackends.Create("oss"));

        Assert.Contains("'oss'", error.Message, StringComparison.Ordinal);
        Assert.Contains("pulse, alsa, stdin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stdin_back_end_without_a_format_says_which_flags_to_add()
    {
        var error = Assert.Throws<CaptureException>(() => CaptureBackends.Create("stdin"));

        Assert.Contains("--raw s16le|f32le --rate HZ", error.Message, StringComparison.Ordinal);
    }
}
