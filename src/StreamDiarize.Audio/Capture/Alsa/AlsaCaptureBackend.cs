// Capture through ALSA: any PCM name ALSA knows ("default", "pulse", "pulse:SOURCE", "plughw:1,0", "dsnoop:0").
using System.Runtime.InteropServices;

namespace StreamDiarize.Audio.Capture.Alsa;

/// <summary>
/// Records mono at the asked rate with snd_pcm_set_params (float if the device takes it, else 16-bit).
/// A raw "hw:N" device rarely offers 16 kHz mono; "plughw:N" converts. With libasound2-plugins, "pulse" goes
/// through PulseAudio (honouring $PULSE_SERVER) and "pulse:SOURCE" picks a PulseAudio source.
/// </summary>
public sealed class AlsaCaptureBackend : ICaptureBackend
{
    public const string BackendName = "alsa";

    public string Name => BackendName;

    public static bool IsInstalled => NativeLibrary.TryLoad(AlsaNative.Library, out _);

    /// <summary>
    /// PCM names from snd_device_name_hint that can capture (IOID absent or "Input"). ALSA lists only what its
    /// configuration declares, so "plughw:N,M" forms of every card are listed too; they are always valid names.
    /// </summary>
    public IReadOnlyList<CaptureDevice> ListDevices()
    {
        EnsureLibrary("default");
        var devices = new List<CaptureDevice>();
        if (AlsaNative.snd_device_name_hint(-1, "pcm", out var hints) < 0 || hints == IntPtr.Zero)
        {
            return devices;
        }
        try
        {
            for (int i = 0; ; i++)
            {
                var hint = Marshal.ReadIntPtr(hints, i * IntPtr.Size);
                if (hint == IntPtr.Zero)
                {
                    break;
                }
                var name = TakeHint(hint, "NAME");
                var description = TakeHint(hint, "DESC");
                var direction = TakeHint(hint, "IOID");
                if (name is null || direction == "Output")
                {
                    continue;
                }
                devices.Add(new CaptureDevice(name, (description ?? name).Replace('\n', ' '), name == "default"));
            }
        }
        finally
        {
            _ = AlsaNative.snd_device_name_free_hint(hints);
        }
        return devices;
    }

    public ICaptureStream Open(string? device, int sampleRateHz, int framesPerRead)
    {
        var name = string.IsNullOrEmpty(device) ? "default" : device;
        EnsureLibrary(name);
        int rc = AlsaNative.snd_pcm_open(out var pcm, name, AlsaNative.StreamCapture, AlsaNative.OpenNonBlock);
        if (rc < 0)
        {
            throw Describe(name, -rc);
        }
        try
        {
            // Opened non-blocking so a busy device fails at once; reads then block, which the capture thread wants.
            Check(name, AlsaNative.snd_pcm_nonblock(pcm, 0));
            uint latencyUs = (uint)Math.Max(20_000, 4L * framesPerRead * 1_000_000 / sampleRateHz);
            bool isFloat = true;
            rc = AlsaNative.snd_pcm_set_params(pcm, AlsaNative.FormatFloatLe, AlsaNative.AccessRwInterleaved, 1, (uint)sampleRateHz, 1, latencyUs);
            if (rc < 0)
            {
                isFloat = false;
                rc = AlsaNative.snd_pcm_set_params(pcm, AlsaNative.FormatS16Le, AlsaNative.AccessRwInterleaved, 1, (uint)sampleRateHz, 1, latencyUs);
            }
            if (rc < 0)
            {
                throw new CaptureException(name, CaptureErrorKind.Failed,
                    $"capture device '{name}' cannot record mono at {sampleRateHz} Hz ({AlsaNative.ErrorText(rc)}): use its plug form (e.g. plughw:1,0 instead of hw:1,0), or 'default'");
            }
            return new AlsaCaptureStream(pcm, name, sampleRateHz, framesPerRead, isFloat);
        }
        catch
        {
            _ = AlsaNative.snd_pcm_close(pcm);
            throw;
        }
    }

    private static void Check(string device, int rc)
    {
        if (rc < 0)
        {
            throw Describe(device, -rc);
        }
    }

    private static CaptureException Describe(string device, int errno) => errno switch
    {
        AlsaNative.ENoEnt or AlsaNative.ENoDev or AlsaNative.ENxIo => CaptureException.NoSuchDevice(BackendName, device, AlsaNative.ErrorText(-errno)),
        AlsaNative.EAccess or AlsaNative.EPerm => CaptureException.PermissionDenied(device, AlsaNative.ErrorText(-errno)),
        AlsaNative.EBusy or AlsaNative.EAgain => new CaptureException(device, CaptureErrorKind.DeviceBusy,
            $"capture device '{device}' is busy: another program holds it; close that program, or capture through 'default' or 'pulse', which share the device"),
        AlsaNative.EConnRefused => new CaptureException(device, CaptureErrorKind.ServerUnavailable,
            $"capture device '{device}': PulseAudio is not running (connection refused; ALSA's '{device}' device goes through PulseAudio): start it with `pulseaudio --start`, or pick a hardware device such as plughw:0"),
        _ => new CaptureException(device, CaptureErrorKind.Failed, $"capture device '{device}' failed to open: {AlsaNative.ErrorText(-errno)}"),
    };

    private static string? TakeHint(IntPtr hint, string id)
    {
        var p = AlsaNative.snd_device_name_get_hint(hint, id);
        if (p == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            AlsaNative.free(p);
        }
    }

    private static void EnsureLibrary(string device)
    {
        if (!IsInstalled)
        {
            throw new CaptureException(device, CaptureErrorKind.BackendUnavailable,
                "the ALSA back end needs libasound.so.2: install it (apt-get install libasound2)");
        }
    }

    private sealed unsafe class AlsaCaptureStream(IntPtr pcm, string device, int sampleRateHz, int framesPerRead, bool isFloat) : ICaptureStream
    {
        private IntPtr _pcm = pcm;

        public string DeviceName => device;

        public int SampleRateHz => sampleRateHz;

        public bool IsLive => true;

        /// <summary>ALSA-side overruns (the device buffer filled before we read), recovered from and counted.</summary>
        public long DeviceOverruns { get; private set; }

        public void Run(ICaptureSink sink, CancellationToken stop)
        {
            var samples = new float[framesPerRead];
            var shorts = isFloat ? null : new short[framesPerRead];
            while (!stop.IsCancellationRequested)
            {
                nint got;
                if (isFloat)
                {
                    fixed (float* p = samples)
                    {
                        got = AlsaNative.snd_pcm_readi(_pcm, p, (nuint)framesPerRead);
                    }
                }
                else
                {
                    fixed (short* p = shorts)
                    {
                        got = AlsaNative.snd_pcm_readi(_pcm, p, (nuint)framesPerRead);
                    }
                }
                if (got < 0)
                {
                    int err = (int)got;
                    if (-err == AlsaNative.EPipe)
                    {
                        DeviceOverruns++;
                    }
                    // Overrun (EPIPE) and suspend (ESTRPIPE) are recoverable; anything else ends capture.
                    if (AlsaNative.snd_pcm_recover(_pcm, err, 1) < 0)
                    {
                        throw new CaptureException(device, CaptureErrorKind.Failed,
                            $"capture from '{device}' stopped: {AlsaNative.ErrorText(err)}; the device was removed or its server went away");
                    }
                    continue;
                }
                int n = (int)got;
                if (!isFloat)
                {
                    for (int i = 0; i < n; i++)
                    {
                        samples[i] = shorts![i] / 32768f;
                    }
                }
                sink.Write(samples.AsSpan(0, n));
            }
        }

        public void Dispose()
        {
            var p = Interlocked.Exchange(ref _pcm, IntPtr.Zero);
            if (p != IntPtr.Zero)
            {
                _ = AlsaNative.snd_pcm_close(p);
            }
        }
    }
}
