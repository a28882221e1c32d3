// A capture device as the pipeline's audio source: a dedicated thread fills a lock-free ring, ReadAsync drains it.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Audio.Capture;

/// <summary>
/// Runs an <see cref="ICaptureStream"/> on its own thread (not the pool: a device read blocks, and a starved pool
/// must not make the device overflow). That thread only copies samples into a <see cref="SampleRingBuffer"/>.
/// A live device never waits: when the reader falls behind by more than the ring, the newest samples are dropped
/// and counted in <see cref="OverflowSamples"/> / <see cref="OverflowEvents"/> (stream time then runs behind wall time
/// by the dropped amount). A pipe is not live and is paused instead. <see cref="Stop"/> ends capture; the reader gets
/// what is buffered and then 0, so the pipeline flushes its final segments.
/// </summary>
public sealed class CaptureAudioSource : IAudioSource, ICaptureSink
{
    private readonly ICaptureStream _stream;
    private readonly SampleRingBuffer _ring;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _dataSignal = new(0);
    private readonly SemaphoreSlim _spaceSignal = new(0);
    private readonly TaskCompletionSource _threadExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly long _maxSamples;
    private long _delivered;
    private int _dataPending;
    private int _spaceWanted;
    private volatile bool _captureEnded;
    private Exception? _captureError;
    private int _disposed;

    /// <summary>Starts capturing from an already opened stream; the source owns and disposes it.</summary>
    public CaptureAudioSource(ICaptureStream stream, CaptureOptions? options = null, string? backendName = null)
    {
        options ??= new CaptureOptions();
        OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        _stream = stream;
        Name = $"mic:{backendName ?? "capture"}:{stream.DeviceName}";
        _ring = new SampleRingBuffer(Math.Max(options.FramesPerRead * 2, (int)(options.RingSeconds * stream.SampleRateHz)));
        _maxSamples = options.MaxSeconds is double s ? (long)Math.Round(s * stream.SampleRateHz) : long.MaxValue;
        StopTimeout = options.StopTimeout;
        _thread = new Thread(CaptureLoop)
        {
            IsBackground = true, // a stdin read cannot be interrupted; it must not keep the process alive
            Name = "capture " + stream.DeviceName,
            Priority = ThreadPriority.AboveNormal,
        };
        _thread.Start();
    }

    /// <summary>Opens <see cref="CaptureOptions.Device"/> on <paramref name="backend"/> within the open timeout and starts capture.</summary>
    public static async Task<CaptureAudioSource> OpenAsync(ICaptureBackend backend, CaptureOptions options, CancellationToken cancellationToken)
    {
        OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        var opening = Task.Factory.StartNew(() => backend.Open(options.Device, options.SampleRateHz, options.FramesPerRead),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var stream = await opening.WaitAsync(options.OpenTimeout, cancellationToken).ConfigureAwait(false);
            return new CaptureAudioSource(stream, options, backend.Name);
        }
        catch (TimeoutException ex)
        {
            // The open may still finish later: close what it opens so the device is not held.
            _ = opening.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            var device = options.Device ?? "default";
            throw new CaptureException(device, CaptureErrorKind.Timeout,
                $"capture device '{device}' on {backend.Name} did not open within {options.OpenTimeout.TotalSeconds:F0} s: the audio server may be hung; restart it, or try another --backend", ex);
        }
    }

    public string Name { get; }

    public int SampleRateHz => _stream.SampleRateHz;

    public TimeSpan StopTimeout { get; }

    /// <summary>Samples dropped because the reader fell more than the ring behind a live device.</summary>
    public long OverflowSamples => _ring.OverflowSamples;

    /// <summary>Device reads that lost samples to overflow.</summary>
    public long OverflowEvents => _ring.OverflowEvents;

    /// <summary>Samples captured into the ring so far.</summary>
    public long CapturedSamples => _ring.WrittenSamples;

    /// <summary>Samples handed to the reader so far.</summary>
    public long DeliveredSamples => Interlocked.Read(ref _delivered);

    /// <summary>Ends capture (Ctrl-C, --seconds): buffered samples are still read, then ReadAsync returns 0.</summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: capture is over anyway.
        }
        Signal(ref _spaceWanted, _spaceSignal);
    }

    public async ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long left = _maxSamples - _delivered;
        if (left <= 0)
        {
            Stop();
            return 0;
        }
        if (buffer.Length > left)
        {
            buffer = buffer[..(int)left];
        }
        while (true)
        {
            int n = _ring.Read(buffer.Span);
            if (n > 0)
            {
                Interlocked.Add(ref _delivered, n);
                Signal(ref _spaceWanted, _spaceSignal);
                return n;
            }
            // Arm the signal, then look again: a write between the two is then either seen or signalled.
            Volatile.Write(ref _dataPending, 0);
            if (_ring.Count > 0)
            {
                continue;
            }
            if (_captureEnded)
            {
                if (_ring.Count > 0)
                {
                    continue;
                }
                if (_captureError is { } error)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                }
                return 0;
            }
            await _dataSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Capture thread only: the ring write, and for a pipe, the wait for room.</summary>
    void ICaptureSink.Write(ReadOnlySpan<float> samples)
    {
        if (_stream.IsLive)
        {
            _ring.TryWrite(samples);
            Signal(ref _dataPending, _dataSignal);
            return;
        }
        while (!samples.IsEmpty)
        {
            int n = _ring.TryWrite(samples, countOverflow: false);
            samples = samples[n..];
            if (n > 0)
            {
                Signal(ref _dataPending, _dataSignal);
            }
            if (samples.IsEmpty || _stop.IsCancellationRequested)
            {
                return;
            }
            Volatile.Write(ref _spaceWanted, 0);
            if (_ring.Count < _ring.CapacitySamples)
            {
                continue;
            }
            _spaceSignal.Wait(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Stop();
        bool exited = await _threadExited.Task.WaitAsync(StopTimeout).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default).ConfigureAwait(false);
        if (exited)
        {
            // Freeing the device while its thread still reads would be a use-after-free, hence only after the exit.
            _stream.Dispose();
            _stop.Dispose();
        }
    }

    private void CaptureLoop()
    {
        try
        {
            _stream.Run(this, _stop.Token);
        }
        catch (Exception ex)
        {
            _captureError = ex;
        }
        finally
        {
            _captureEnded = true;
            Signal(ref _dataPending, _dataSignal);
            _threadExited.TrySetResult();
        }
    }

    /// <summary>Releases <paramref name="signal"/> at most once per arming, so its count stays at 0 or 1.</summary>
    private static void Signal(ref int armed, SemaphoreSlim signal)
    {
        if (Interlocked.Exchange(ref armed, 1) == 0)
        {
            signal.Release();
        }
    }
}
