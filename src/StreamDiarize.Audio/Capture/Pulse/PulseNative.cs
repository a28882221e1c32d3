// P/Invoke declarations for libpulse-simple (capture) and libpulse's async API (device listing, server probe).
using System.Runtime.InteropServices;

namespace StreamDiarize.Audio.Capture.Pulse;

internal static unsafe partial class PulseNative
{
    public const string SimpleLibrary = "libpulse-simple.so.0";
    public const string Library = "libpulse.so.0";

    // pa_error_code values (pulse/def.h), confirmed against pa_strerror on this machine.
    public const int ErrAccess = 1;
    public const int ErrNoEntity = 5;
    public const int ErrConnectionRefused = 6;
    public const int ErrTimeout = 8;
    public const int ErrAuthKey = 9;
    public const int ErrInvalidServer = 13;
    public const int ErrBusy = 26;

    public const int StreamRecord = 2;          // PA_STREAM_RECORD
    public const int SampleFloat32Le = 5;       // PA_SAMPLE_FLOAT32LE
    public const int ContextNoAutospawn = 1;    // PA_CONTEXT_NOAUTOSPAWN: probing must not start a server
    public const int ContextReady = 4;
    public const int ContextFailed = 5;
    public const int ContextTerminated = 6;
    public const int OperationRunning = 0;

    [StructLayout(LayoutKind.Sequential)]
    public struct SampleSpec
    {
        public int Format;
        public uint Rate;
        public byte Channels;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BufferAttr
    {
        public uint MaxLength;
        public uint TLength;
        public uint PreBuf;
        public uint MinReq;
        public uint FragSize;
    }

    /// <summary>The leading fields of pa_source_info; only these are read, so the rest of the layout does not matter.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SourceInfoHead
    {
        public IntPtr Name;
        public uint Index;
        public IntPtr Description;
    }

    /// <summary>The leading fields of pa_server_info, up to the default source name.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ServerInfoHead
    {
        public IntPtr UserName;
        public IntPtr HostName;
        public IntPtr ServerVersion;
        public IntPtr ServerName;
        public SampleSpec SampleSpec;
        public IntPtr DefaultSinkName;
        public IntPtr DefaultSourceName;
    }

    [LibraryImport(SimpleLibrary, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr pa_simple_new(string? server, string name, int dir, string? dev, string streamName,
        ref SampleSpec ss, IntPtr channelMap, ref BufferAttr attr, out int error);

    [LibraryImport(SimpleLibrary)]
    public static partial int pa_simple_read(IntPtr s, void* data, nuint bytes, out int error);

    [LibraryImport(SimpleLibrary)]
    public static partial void pa_simple_free(IntPtr s);

    [LibraryImport(Library)]
    public static partial IntPtr pa_strerror(int error);

    [LibraryImport(Library)]
    public static partial IntPtr pa_mainloop_new();

    [LibraryImport(Library)]
    public static partial IntPtr pa_mainloop_get_api(IntPtr m);

    [LibraryImport(Library)]
    public static partial int pa_mainloop_iterate(IntPtr m, int block, out int retval);

    [LibraryImport(Library)]
    public static partial void pa_mainloop_free(IntPtr m);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr pa_context_new(IntPtr api, string name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int pa_context_connect(IntPtr c, string? server, int flags, IntPtr spawnApi);

    [LibraryImport(Library)]
    public static partial int pa_context_get_state(IntPtr c);

    [LibraryImport(Library)]
    public static partial int pa_context_errno(IntPtr c);

    [LibraryImport(Library)]
    public static partial void pa_context_disconnect(IntPtr c);

    [LibraryImport(Library)]
    public static partial void pa_context_unref(IntPtr c);

    [LibraryImport(Library)]
    public static partial IntPtr pa_context_get_source_info_list(IntPtr c, delegate* unmanaged[Cdecl]<IntPtr, SourceInfoHead*, int, IntPtr, void> cb, IntPtr userdata);

    [LibraryImport(Library)]
    public static partial IntPtr pa_context_get_server_info(IntPtr c, delegate* unmanaged[Cdecl]<IntPtr, ServerInfoHead*, IntPtr, void> cb, IntPtr userdata);

    [LibraryImport(Library)]
    public static partial int pa_operation_get_state(IntPtr o);

    [LibraryImport(Library)]
    public static partial void pa_operation_unref(IntPtr o);

    public static string ErrorText(int error) => Marshal.PtrToStringUTF8(pa_strerror(error)) ?? $"error {error}";
}
