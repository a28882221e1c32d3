// A short-lived libpulse context for questions the simple API cannot ask: is a server there, which sources exist.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StreamDiarize.Audio.Capture.Pulse;

/// <summary>
/// Drives its own pa_mainloop without blocking inside libpulse: each wait polls with a non-blocking iterate
/// until a deadline, so a server that accepts the socket but never answers costs a timeout, not a hang.
/// </summary>
internal sealed unsafe class PulseIntrospection : IDisposable
{
    private IntPtr _mainloop;
    private IntPtr _context;

    private PulseIntrospection(IntPtr mainloop, IntPtr context)
    {
        _mainloop = mainloop;
        _context = context;
    }

    public static PulseIntrospection Connect(string? server, TimeSpan timeout)
    {
        var mainloop = PulseNative.pa_mainloop_new();
        var context = PulseNative.pa_context_new(PulseNative.pa_mainloop_get_api(mainloop), "streamdiarize-probe");
        var session = new PulseIntrospection(mainloop, context);
        try
        {
            if (PulseNative.pa_context_connect(context, server, PulseNative.ContextNoAutospawn, IntPtr.Zero) < 0)
            {
                throw session.Failure(server);
            }
            int state = 0;
            bool ready = session.RunUntil(() =>
            {
                state = PulseNative.pa_context_get_state(context);
                return state is PulseNative.ContextReady or PulseNative.ContextFailed or PulseNative.ContextTerminated;
            }, timeout);
            if (!ready)
            {
                throw new CaptureException("default", CaptureErrorKind.ServerUnavailable,
                    $"no answer from {server ?? "the PulseAudio server"} within {timeout.TotalSeconds:F0} s");
            }
            if (state != PulseNative.ContextReady)
            {
                throw session.Failure(server);
            }
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Every source, monitors of outputs included (they are how a virtual microphone is captured).</summary>
    public List<CaptureDevice> ListSources(TimeSpan timeout)
    {
        var state = new ListState();
        var handle = GCHandle.Alloc(state);
        try
        {
            Wait(PulseNative.pa_context_get_server_info(_context, &OnServerInfo, GCHandle.ToIntPtr(handle)), timeout);
            Wait(PulseNative.pa_context_get_source_info_list(_context, &OnSourceInfo, GCHandle.ToIntPtr(handle)), timeout);
        }
        finally
        {
            handle.Free();
        }
        return state.Sources.Select(s => new CaptureDevice(s.Name, s.Description, s.Name == state.DefaultSource)).ToList();
    }

    public void Dispose()
    {
        if (_context != IntPtr.Zero)
        {
            PulseNative.pa_context_disconnect(_context);
            PulseNative.pa_context_unref(_context);
            _context = IntPtr.Zero;
        }
        if (_mainloop != IntPtr.Zero)
        {
            PulseNative.pa_mainloop_free(_mainloop);
            _mainloop = IntPtr.Zero;
        }
    }

    private CaptureException Failure(string? server)
    {
        int error = PulseNative.pa_context_errno(_context);
        var where = server ?? Environment.GetEnvironmentVariable("PULSE_SERVER") ?? "the default socket";
        return new CaptureException("default", CaptureErrorKind.ServerUnavailable,
            $"{PulseNative.ErrorText(error).ToLowerInvariant()} at {where}");
    }

    private void Wait(IntPtr operation, TimeSpan timeout)
    {
        if (operation == IntPtr.Zero)
        {
            throw new CaptureException("default", CaptureErrorKind.Failed, "PulseAudio refused the query: " + PulseNative.ErrorText(PulseNative.pa_context_errno(_context)));
        }
        try
        {
            if (!RunUntil(() => PulseNative.pa_operation_get_state(operation) != PulseNative.OperationRunning, timeout))
            {
                throw new CaptureException("default", CaptureErrorKind.Timeout, $"PulseAudio did not answer within {timeout.TotalSeconds:F0} s");
            }
        }
        finally
        {
            PulseNative.pa_operation_unref(operation);
        }
    }

    private bool RunUntil(Func<bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > timeout)
            {
                return false;
            }
            if (PulseNative.pa_mainloop_iterate(_mainloop, 0, out _) == 0)
            {
                Thread.Sleep(2);
            }
        }
        return true;
    }

    private sealed class ListState
    {
        public List<(string Name, string Description)> Sources { get; } = [];

        public string? DefaultSource { get; set; }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnSourceInfo(IntPtr context, PulseNative.SourceInfoHead* info, int eol, IntPtr userdata)
    {
        if (eol != 0 || info == null)
        {
            return;
        }
        var state = (ListState)GCHandle.FromIntPtr(userdata).Target!;
        var name = Marshal.PtrToStringUTF8(info->Name) ?? "";
        state.Sources.Add((name, Marshal.PtrToStringUTF8(info->Description) ?? name));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnServerInfo(IntPtr context, PulseNative.ServerInfoHead* info, IntPtr userdata)
    {
        if (info != null)
        {
            ((ListState)GCHandle.FromIntPtr(userdata).Target!).DefaultSource = Marshal.PtrToStringUTF8(info->DefaultSourceName);
        }
    }
}
