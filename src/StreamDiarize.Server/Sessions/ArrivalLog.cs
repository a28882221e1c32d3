// Remembers when each block of a stream's samples arrived, so an event can be timed from the audio that caused it.
using System.Diagnostics;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// Thread-safe: the producer records, the pipeline asks. Questions come in increasing time order, so entries
/// older than the one asked about are dropped and the log stays as short as the pipeline's lag.
/// </summary>
internal sealed class ArrivalLog(int sampleRateHz)
{
    private readonly Queue<(long EndSample, long ArrivalTimestamp)> _arrivals = new();
    private readonly Lock _lock = new();
    private long _samples;
    private long _lastArrival;
    private long _endArrival;
    private long _askedSample;
    private long _firstArrival;
    private long _firstEndSample;
    private long _newestArrival;

    /// <summary>Samples recorded so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    /// <summary>Notes that <paramref name="count"/> more samples arrived now.</summary>
    public void Record(int count)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            long end = Interlocked.Add(ref _samples, count);
            _newestArrival = now;
            if (_firstArrival == 0)
            {
                _firstEndSample = end;
                Volatile.Write(ref _firstArrival, now);
            }
            _arrivals.Enqueue((end, now));
        }
    }

    /// <summary>
    /// Moves the real-time schedule later so that the newest audio counts as on time: called while the daemon has CPU
    /// to spare, when audio arriving late is the client's doing (it paused, or its clock runs slow), not the server's.
    /// </summary>
    public void ForgiveLateness()
    {
        lock (_lock)
        {
            long first = _firstArrival;
            if (first == 0)
            {
                return;
            }
            long late = _newestArrival - Due(first, (double)Interlocked.Read(ref _samples) / sampleRateHz);
            if (late > 0)
            {
                Volatile.Write(ref _firstArrival, first + late);
            }
        }
    }

    /// <summary>Notes that the stream ended now (only the first call counts).</summary>
    public void RecordEnd() => Interlocked.CompareExchange(ref _endArrival, Stopwatch.GetTimestamp(), 0);

    public long ArrivalOf(double streamSeconds) => ArrivalOfSample((long)Math.Round(streamSeconds * sampleRateHz));

    public long ArrivalOfEnd() => ArrivalOfSample(long.MaxValue);

    private long ArrivalOfSample(long sample)
    {
        lock (_lock)
        {
            _askedSample = Math.Max(_askedSample, sample);
            while (_arrivals.Count > 0 && _arrivals.Peek().EndSample < sample)
            {
                _lastArrival = _arrivals.Dequeue().ArrivalTimestamp;
            }
            if (_arrivals.Count > 0)
            {
                return _arrivals.Peek().ArrivalTimestamp;
            }
        }
        long end = Interlocked.Read(ref _endArrival);
        return end != 0 ? end : _lastArrival;
    }

    /// <summary>
    /// When stream time <paramref name="streamSeconds"/> would have arrived from a real-time source whose first message
    /// arrived when this stream's did (a Stopwatch timestamp; 0 before any audio): the session's real-time schedule.
    /// Audio sent faster than real time is not due before then, so a fast sender's backlog is not lag; audio that
    /// arrives after it is late by the difference, whether the client or the server's own reading (a daemon too busy to
    /// read its calls leaves their audio waiting in the transport) made it late.
    /// </summary>
    public long RealTimeDue(double streamSeconds)
    {
        long first = Volatile.Read(ref _firstArrival);
        return first == 0 ? 0 : Due(first, streamSeconds);
    }

    private long Due(long first, double streamSeconds) =>
        first + (long)(Math.Max(0, streamSeconds - (double)_firstEndSample / sampleRateHz) * Stopwatch.Frequency);

    /// <summary>
    /// When the oldest audio past the last sample asked about was due on the real-time schedule (see
    /// <see cref="RealTimeDue"/>; the end of the message that brought it); 0 when no audio waits. The processing-lag
    /// sampler asks this.
    /// </summary>
    public long OldestPendingDue()
    {
        lock (_lock)
        {
            foreach (var (endSample, _) in _arrivals)
            {
                if (endSample > _askedSample)
                {
                    return Due(_firstArrival, (double)endSample / sampleRateHz);
                }
            }
            return 0;
        }
    }
}
