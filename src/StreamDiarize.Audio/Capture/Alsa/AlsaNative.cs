// P/Invoke declarations for libasound (ALSA): PCM capture and the device-name hints used for listing.
using System.Runtime.InteropServices;

namespace StreamDiarize.Audio.Capture.Alsa;

internal static unsafe partial class AlsaNative
{
    public const string Library = "libasound.so.2";

    public const int StreamCapture = 1;         // SND_PCM_STREAM_CAPTURE
    public const int OpenNonBlock = 1;          // SND_PCM_NONBLOCK: open must not wait for a busy device
    public const int FormatS16Le = 2;           // SND_PCM_FORMAT_S16_LE
    public const int FormatFloatLe = 14;        // SND_PCM_FORMAT_FLOAT_LE
    public const int AccessRwInterleaved = 3;   // SND_PCM_ACCESS_RW_INTERLEAVED

    // errno values ALSA returns negated (Linux).
    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int ENxIo = 6;
    public const int EAgain = 11;
    public const int EAccess = 13;
    public const int EBusy = 16;
    public const int ENoDev = 19;
    public const int EInval = 22;
    public const int EPipe = 32;
    public const int EStrPipe = 86;
    public const int EConnRefused = 111;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int snd_pcm_open(out IntPtr pcm, string name, int stream, int mode);

    [LibraryImport(Library)]
    public static partial int snd_pcm_nonblock(IntPtr pcm, int nonblock);

    [LibraryImport(Library)]
    public static partial int snd_pcm_set_params(IntPtr pcm, int format, int access, uint channels, uint rate, int softResample, uint latencyUs);

    [LibraryImport(Library)]
    public static partial nint snd_pcm_readi(IntPtr pcm, void* buffer, nuint frames);

    [LibraryImport(Library)]
    public static partial int snd_pcm_recover(IntPtr pcm, int err, int silent);

    [LibraryImport(Library)]
    public static partial int snd_pcm_close(IntPtr pcm);

    [LibraryImport(Library)]
    public static partial IntPtr snd_strerror(int errnum);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int snd_device_name_hint(int card, string iface, out IntPtr hints);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr snd_device_name_get_hint(IntPtr hint, string id);

    [LibraryImport(Library)]
    public static partial int snd_device_name_free_hint(IntPtr hints);

    /// <summary>snd_device_name_get_hint returns malloc'd strings; they go back to libc's free.</summary>
    [LibraryImport("libc")]
    public static partial void free(IntPtr p);

    public static string ErrorText(int error) => Marshal.PtrToStringUTF8(snd_strerror(error)) ?? $"error {error}";
}
