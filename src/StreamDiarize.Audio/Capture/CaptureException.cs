// The one error every capture back end raises: it names the device and says what to do about it.
namespace StreamDiarize.Audio.Capture;

/// <summary>Why a capture device could not be opened or stopped delivering audio.</summary>
public enum CaptureErrorKind
{
    /// <summary>The audio server (PulseAudio/PipeWire) is not running or not reachable.</summary>
    ServerUnavailable,

    /// <summary>No capture device has the requested name.</summary>
    NoSuchDevice,

    /// <summary>The device exists but this user may not open it.</summary>
    PermissionDenied,

    /// <summary>Another program holds the device exclusively.</summary>
    DeviceBusy,

    /// <summary>The back end's native library is not installed.</summary>
    BackendUnavailable,

    /// <summary>Opening took longer than the open timeout.</summary>
    Timeout,

    /// <summary>Anything else the back end reported.</summary>
    Failed,
}

public sealed class CaptureException : Exception
{
    public CaptureException(string device, CaptureErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Device = device;
        Kind = kind;
    }

    public CaptureException() : this("(none)", CaptureErrorKind.Failed, "capture failed") { }

    public CaptureException(string message) : this("(none)", CaptureErrorKind.Failed, message) { }

    public CaptureException(string message, Exception inner) : this("(none)", CaptureErrorKind.Failed, message, inner) { }

    /// <summary>The device as the user named it ("default" when none was given).</summary>
    public string Device { get; }

    public CaptureErrorKind Kind { get; }

    /// <summary>The standard "no such device" error, so every back end words it alike.</summary>
    public static CaptureException NoSuchDevice(string backend, string device, string? detail = null) => new(
        device, CaptureErrorKind.NoSuchDevice,
        $"no capture device named '{device}'{(detail is null ? "" : $" ({detail})")}: run `streamdiarize mic --backend {backend} --list-devices` to see the names");

    /// <summary>The standard "permission denied" error.</summary>
    public static CaptureException PermissionDenied(string device, string detail) => new(
        device, CaptureErrorKind.PermissionDenied,
        $"permission denied opening capture device '{device}' ({detail}): check that your user is in the `audio` group (`id -nG`; add it with `usermod -aG audio $USER` and log in again), that /dev/snd/* is readable, and, in a container, that /dev/snd or the PulseAudio socket is passed in");
}
