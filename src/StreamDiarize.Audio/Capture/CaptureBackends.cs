// Picks the capture back end: Windows -> NAudio winmm; Linux -> PulseAudio when a server answers, else ALSA.
using StreamDiarize.Audio.Capture.Alsa;
using StreamDiarize.Audio.Capture.Pulse;
using StreamDiarize.Audio.Capture.Windows;

namespace StreamDiarize.Audio.Capture;

public static class CaptureBackends
{
    public const string Auto = "auto";

    public const string WinMmName = "winmm";

    /// <summary>The names `--backend` accepts. "wasapi" is taken as "winmm", the one Windows back end there is.</summary>
    public static IReadOnlyList<string> Names { get; } = [Auto, PulseCaptureBackend.BackendName, AlsaCaptureBackend.BackendName, RawStreamCaptureBackend.BackendName, WinMmName, "wasapi"];

    /// <summary>
    /// The back end called <paramref name="name"/> (null or "auto": detect). "stdin" needs <paramref name="rawInput"/>
    /// and its format. <paramref name="probeTimeout"/> bounds the PulseAudio probe of the automatic choice.
    /// </summary>
    public static ICaptureBackend Create(string? name, Stream? rawInput = null, RawPcmFormat? rawFormat = null, TimeSpan? probeTimeout = null)
    {
        switch ((name ?? Auto).Trim().ToLowerInvariant())
        {
            case Auto:
                return Detect(probeTimeout ?? TimeSpan.FromSeconds(2));
            case PulseCaptureBackend.BackendName:
                return new PulseCaptureBackend();
            case AlsaCaptureBackend.BackendName:
                return new AlsaCaptureBackend();
            case RawStreamCaptureBackend.BackendName:
                if (rawInput is null || rawFormat is null)
                {
                    throw new CaptureException("stdin", CaptureErrorKind.Failed, "the stdin back end needs the PCM format: add --raw s16le|f32le --rate HZ [--channels N]");
                }
                return new RawStreamCaptureBackend(rawInput, rawFormat);
            case WinMmName or "wasapi":
                return OperatingSystem.IsWindows() ? new WinMmCaptureBackend()
                    : throw new CaptureException("default", CaptureErrorKind.BackendUnavailable, $"the {name} back end runs only on Windows: use --backend pulse or alsa here");
            default:
                throw new ArgumentException($"capture back end '{name}' is unknown: use one of {string.Join(", ", Names)}", nameof(name));
        }
    }

    /// <summary>The automatic choice, which never waits longer than <paramref name="probeTimeout"/> on a silent server.</summary>
    public static ICaptureBackend Detect(TimeSpan probeTimeout)
    {
        if (OperatingSystem.IsWindows())
        {
            return new WinMmCaptureBackend();
        }
        var pulse = new PulseCaptureBackend();
        if (pulse.IsAvailable(probeTimeout, out var whyNotPulse))
        {
            return pulse;
        }
        if (AlsaCaptureBackend.IsInstalled)
        {
            return new AlsaCaptureBackend();
        }
        throw new CaptureException("default", CaptureErrorKind.BackendUnavailable,
            $"no capture back end works here: PulseAudio: {whyNotPulse}; ALSA: libasound.so.2 is not installed. Install pulseaudio or libasound2, or pipe audio in with --input -");
    }
}
