// The contract every microphone back end (PulseAudio, ALSA, raw stream, Windows) fulfils: list devices, open one, run it on a thread.
namespace StreamDiarize.Audio.Capture;

/// <summary>A device a back end can capture from. <see cref="Name"/> is what `--device` takes.</summary>
public sealed record CaptureDevice(string Name, string Description, bool IsDefault);

/// <summary>One way of reaching microphones. Opening and listing may block; callers put a timeout around them.</summary>
public interface ICaptureBackend
{
    /// <summary>"pulse", "alsa", "stdin" or "winmm": the value of `--backend`.</summary>
    string Name { get; }

    /// <summary>The capture devices this back end can open now; throws <see cref="CaptureException"/> when it cannot ask.</summary>
    IReadOnlyList<CaptureDevice> ListDevices();

    /// <summary>
    /// Opens <paramref name="device"/> (null: the system default) for mono capture near <paramref name="sampleRateHz"/>,
    /// delivering about <paramref name="framesPerRead"/> samples at a time. Throws <see cref="CaptureException"/>.
    /// </summary>
    ICaptureStream Open(string? device, int sampleRateHz, int framesPerRead);
}

/// <summary>An open device. <see cref="Run"/> is called once, on the dedicated capture thread.</summary>
public interface ICaptureStream : IDisposable
{
    /// <summary>The device as it was opened, for messages.</summary>
    string DeviceName { get; }

    /// <summary>The rate the samples actually come at (the pipeline resamples when it is not 16 kHz).</summary>
    int SampleRateHz { get; }

    /// <summary>
    /// True for a device that runs in real time and cannot wait (a microphone): on overflow its samples are dropped.
    /// False for a pipe or file, which is paused instead, so no audio is lost.
    /// </summary>
    bool IsLive { get; }

    /// <summary>
    /// Delivers mono samples to <paramref name="sink"/> until <paramref name="stop"/> is cancelled (return) or the
    /// input ends (return); throws <see cref="CaptureException"/> when the device fails.
    /// </summary>
    void Run(ICaptureSink sink, CancellationToken stop);
}

/// <summary>Where the capture thread puts samples. Implementations must be quick: the device is waiting.</summary>
public interface ICaptureSink
{
    void Write(ReadOnlySpan<float> samples);
}
