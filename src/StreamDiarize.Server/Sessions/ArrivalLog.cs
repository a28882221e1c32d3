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

    /// <summary>Samples recorded so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    /// <summary>Notes that <paramref name="count"/> more samples arrived now.</summary>
    public void Record(int count)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_firstArrival == 0)
            {
                _firstArrival = now;
            }
            long end = Interlocked.Add(ref _samples, count);
            _arrivals.Enqueue((end, now));
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
    /// When stream time <paramref name="streamSeconds"/> would have arrived from a real-time source that started with
    /// this stream's first audio (a Stopwatch timestamp; 0 before any audio). Audio sent faster than real time is not
    /// due before then, so a fast sender's backlog is not lag.
    /// </summary>
    public long RealTimeDue(double streamSeconds)
    {
        long first = Volatile.Read(ref _firstArrival);
        return first == 0 ? 0 : first + (long)(streamSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// When the oldest audio past the last sample asked about became due: its arrival, or its real-time due time if
    /// later (see <see cref="RealTimeDue"/>); 0 when no audio waits. The processing-lag sampler asks this.
    /// </summary>
    public long OldestPendingDue()
    {
        lock (_lock)
        {
            long start = 0;
            foreach (var (endSample, arrival) in _arrivals)
            {
                if (endSample > _askedSample)
                {
                    start = Math.Max(start, _askedSample);
                    return Math.Max(arrival, _firstArrival + (long)((double)start / sampleRateHz * Stopwatch.Frequency));
                }
                start = endSample;
            }
            return 0;
        }
    }
}
