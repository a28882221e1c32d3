// How a capture session is opened and buffered; validated once, every error listed.
namespace StreamDiarize.Audio.Capture;

public sealed record CaptureOptions
{
    /// <summary>Device name for the back end; null means the system default.</summary>
    public string? Device { get; init; }

    /// <summary>Rate asked of the device; PulseAudio and ALSA's plug layer convert to it.</summary>
    public int SampleRateHz { get; init; } = 16000;

    /// <summary>Samples per device read: 20 ms at 16 kHz, small so that stopping and latency stay short.</summary>
    public int FramesPerRead { get; init; } = 320;

    /// <summary>How much audio the ring holds before a live device starts dropping samples.</summary>
    public double RingSeconds { get; init; } = 5;

    /// <summary>Stop after this much audio (the `--seconds` of the CLI); null runs until stopped.</summary>
    public double? MaxSeconds { get; init; }

    /// <summary>Opening a device (connecting to the server included) fails after this long instead of hanging.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long disposal waits for the capture thread before abandoning it (it is a background thread).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (SampleRateHz is < 8000 or > 48000)
        {
            errors.Add($"capture rate {SampleRateHz} Hz is invalid: use 8000 to 48000");
        }
        if (FramesPerRead is < 16 or > 48000)
        {
            errors.Add($"frames per read {FramesPerRead} is invalid: use 16 to 48000");
        }
        if (RingSeconds is < 0.1 or > 600 || double.IsNaN(RingSeconds))
        {
            errors.Add($"ring of {RingSeconds} s is invalid: use 0.1 to 600 seconds");
        }
        if (MaxSeconds is <= 0 || (MaxSeconds is double m && double.IsNaN(m)))
        {
            errors.Add($"--seconds {MaxSeconds} is invalid: give a positive number of seconds, or leave it out to run until Ctrl-C");
        }
        if (OpenTimeout <= TimeSpan.Zero || StopTimeout <= TimeSpan.Zero)
        {
            errors.Add("open and stop timeouts must be positive");
        }
        return errors;
    }
}
