// Capture through PulseAudio, or PipeWire's pulse server: libpulse-simple records, libpulse's async API lists sources.
using System.Runtime.InteropServices;

namespace StreamDiarize.Audio.Capture.Pulse;

/// <summary>
/// Records 32-bit float mono at the asked rate (the server converts) from a source name such as
/// <c>alsa_input.usb-...</c> or <c>vsink.monitor</c>, or the server's default source. The server is
/// <paramref name="server"/> when given, else what libpulse finds ($PULSE_SERVER, then the user's socket).
/// </summary>
public sealed class PulseCaptureBackend(string? server = null) : ICaptureBackend
{
    public const string BackendName = "pulse";

    public string Name => BackendName;

    /// <summary>The server address as it appears in messages.</summary>
    public string ServerDescription => server ?? Environment.GetEnvironmentVariable("PULSE_SERVER") switch
    {
        { Length: > 0 } env => env,
        _ => Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime
            ? $"unix:{runtime}/pulse/native"
            : "the default socket ($XDG_RUNTIME_DIR/pulse/native)",
    };

    /// <summary>True when libpulse loads and a server answers within <paramref name="timeout"/>; <paramref name="why"/> says why not.</summary>
    public bool IsAvailable(TimeSpan timeout, out string why)
    {
        if (!NativeLibrary.TryLoad(PulseNative.SimpleLibrary, out _) || !NativeLibrary.TryLoad(PulseNative.Library, out _))
        {
            why = "libpulse-simple.so.0 is not installed (apt-get install libpulse0)";
            return false;
        }
        try
        {
            using var session = PulseIntrospection.Connect(server, timeout);
            why = "";
            return true;
        }
        catch (CaptureException ex)
        {
            why = ex.Message;
            return false;
        }
    }

    public IReadOnlyList<CaptureDevice> ListDevices()
    {
        EnsureLibrary("default");
        try
        {
            using var session = PulseIntrospection.Connect(server, TimeSpan.FromSeconds(5));
            return session.ListSources(TimeSpan.FromSeconds(5));
        }
        catch (CaptureException ex) when (ex.Kind == CaptureErrorKind.ServerUnavailable)
        {
            throw NotRunning("default", ex.Message);
        }
    }

    public ICaptureStream Open(string? device, int sampleRateHz, int framesPerRead)
    {
        var shown = device ?? "default";
        EnsureLibrary(shown);
        var spec = new PulseNative.SampleSpec { Format = PulseNative.SampleFloat32Le, Rate = (uint)sampleRateHz, Channels = 1 };
        // fragsize is what keeps latency low: the server sends one read's worth at a time instead of ~2 s batches.
        var attr = new PulseNative.BufferAttr
        {
            MaxLength = uint.MaxValue,
            TLength = uint.MaxValue,
            PreBuf = uint.MaxValue,
            MinReq = uint.MaxValue,
            FragSize = (uint)(framesPerRead * sizeof(float)),
        };
        var handle = PulseNative.pa_simple_new(server, "streamdiarize", PulseNative.StreamRecord, device, "diarization capture",
            ref spec, IntPtr.Zero, ref attr, out int error);
        if (handle == IntPtr.Zero)
        {
            throw Describe(shown, error);
        }
        return new PulseCaptureStream(handle, shown, sampleRateHz, framesPerRead);
    }

    private CaptureException Describe(string device, int error) => error switch
    {
        PulseNative.ErrConnectionRefused or PulseNative.ErrInvalidServer or PulseNative.ErrTimeout =>
            NotRunning(device, $"{PulseNative.ErrorText(error).ToLowerInvariant()} at {ServerDescription}"),
        PulseNative.ErrNoEntity => CaptureException.NoSuchDevice(BackendName, device, "PulseAudio has no source by that name"),
        PulseNative.ErrAccess or PulseNative.ErrAuthKey => CaptureException.PermissionDenied(device,
            $"PulseAudio at {ServerDescription} refused access: {PulseNative.ErrorText(error)}; check the cookie (~/.config/pulse/cookie) or run as the user who owns the server"),
        PulseNative.ErrBusy => new CaptureException(device, CaptureErrorKind.DeviceBusy,
            $"capture device '{device}' is busy: close the program holding it, or pick another --device"),
        _ => new CaptureException(device, CaptureErrorKind.Failed,
            $"capture device '{device}': PulseAudio at {ServerDescription} failed to open a record stream: {PulseNative.ErrorText(error)}"),
    };

    private static CaptureException NotRunning(string device, string detail) => new(device, CaptureErrorKind.ServerUnavailable,
        $"capture device '{device}': PulseAudio is not running ({detail}): start it with `pulseaudio --start` (or PipeWire's pipewire-pulse), or use --backend alsa");

    private static void EnsureLibrary(string device)
    {
        if (!NativeLibrary.TryLoad(PulseNative.SimpleLibrary, out _))
        {
            throw new CaptureException(device, CaptureErrorKind.BackendUnavailable,
                "the PulseAudio back end needs libpulse-simple.so.0: install it (apt-get install libpulse0), or use --backend alsa");
        }
    }

    /// <summary>One open record stream; the capture thread calls <see cref="Run"/>.</summary>
    private sealed unsafe class PulseCaptureStream(IntPtr handle, string device, int sampleRateHz, int framesPerRead) : ICaptureStream
    {
        private IntPtr _handle = handle;

        public string DeviceName => device;

        public int SampleRateHz => sampleRateHz;

        public bool IsLive => true;

        public void Run(ICaptureSink sink, CancellationToken stop)
        {
            var buffer = new float[framesPerRead];
            while (!stop.IsCancellationRequested)
            {
                int result;
                int error;
                fixed (float* p = buffer)
                {
                    // Blocks for one read (20 ms by default), which bounds how long a stop takes.
                    result = PulseNative.pa_simple_read(_handle, p, (nuint)(buffer.Length * sizeof(float)), out error);
                }
                if (result < 0)
                {
                    throw new CaptureException(device, CaptureErrorKind.Failed,
                        $"capture from '{device}' stopped: {PulseNative.ErrorText(error)}; the PulseAudio server went away or the device was removed");
                }
                sink.Write(buffer);
            }
        }

        public void Dispose()
        {
            var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
            if (h != IntPtr.Zero)
            {
                PulseNative.pa_simple_free(h);
            }
        }
    }
}
