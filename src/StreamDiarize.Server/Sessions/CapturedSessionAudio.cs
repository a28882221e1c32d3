// A capture device as a session's audio: counts what the pipeline reads and when, for ListSessions and the latency metric.
using StreamDiarize.Audio.Capture;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// Wraps a <see cref="CaptureAudioSource"/>. Arrival is when the pipeline read the samples, not when the device
/// captured them: the ring between them is short and not timestamped, so the latency metric starts at the read.
/// </summary>
public sealed class CapturedSessionAudio : ISessionAudio
{
    private readonly CaptureAudioSource _capture;
    private readonly ArrivalLog _arrivals;
    private readonly Action<double>? _onSecondsRead;

    public CapturedSessionAudio(CaptureAudioSource capture, Action<double>? onSecondsRead = null)
    {
        _capture = capture;
        _onSecondsRead = onSecondsRead;
        _arrivals = new ArrivalLog(capture.SampleRateHz);
    }

    public string Name => _capture.Name;

    public int SampleRateHz => _capture.SampleRateHz;

    public double SecondsReceived => (double)_arrivals.Samples / SampleRateHz;

    /// <summary>Ends capture: what is buffered is still read, then the pipeline flushes and the session ends.</summary>
    public void Stop() => _capture.Stop();

    public async ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken)
    {
        int count = await _capture.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            _arrivals.Record(count);
            _onSecondsRead?.Invoke((double)count / SampleRateHz);
        }
        else
        {
            _arrivals.RecordEnd();
        }
        return count;
    }

    public long ArrivalOf(double streamSeconds) => _arrivals.ArrivalOf(streamSeconds);

    public long ArrivalOfEnd() => _arrivals.ArrivalOfEnd();

    public long RealTimeDue(double streamSeconds) => _arrivals.RealTimeDue(streamSeconds);

    public long OldestPendingDue() => _arrivals.OldestPendingDue();

    public void ForgiveLateness() => _arrivals.ForgiveLateness();

    public ValueTask DisposeAsync() => _capture.DisposeAsync();
}
