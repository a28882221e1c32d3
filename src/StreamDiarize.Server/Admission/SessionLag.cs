// How far behind real time one session's processing runs: the pipeline reports each block it diarizes, a sampler reads.
using System.Diagnostics;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Admission;

/// <summary>
/// A session's processing lag: the time from when audio was due to the diarizer having processed it. Audio is due when it
/// would have arrived from a real-time source that started with the stream's first message (that message's arrival plus
/// the stream time since its end): a backlog sent ahead is not lag, and audio that reached the server late (a daemon too
/// busy to read its calls leaves the audio waiting in the transport, where it never showed as lag before) is. The pipeline calls <see cref="Processed"/> once per block (allocation-free,
/// lock-free); the admission sampler calls <see cref="Sample"/> a few times a second, which also counts audio that is
/// waiting and not yet processed, so a stalled pipeline shows its lag growing rather than its last value.
/// </summary>
public sealed class SessionLag
{
    /// <summary>Upper bounds (seconds) of the per-session lag histogram the p99 is read from; the last bucket is open.</summary>
    public static readonly double[] BucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

    private readonly long[] _counts = new long[BucketBounds.Length + 1];
    private long _worstSinceSampleTicks;
    private long _processedSinceSample;
    private long _samples;
    private double _max;
    private double _current;

    /// <summary>The diarizer has processed audio that was due at <paramref name="dueTimestamp"/> (a Stopwatch timestamp).</summary>
    public void Processed(long dueTimestamp)
    {
        if (dueTimestamp == 0)
        {
            return;
        }
        long lag = Math.Max(0, Stopwatch.GetTimestamp() - dueTimestamp);
        long seen = Interlocked.Read(ref _worstSinceSampleTicks);
        while (lag > seen)
        {
            long was = Interlocked.CompareExchange(ref _worstSinceSampleTicks, lag, seen);
            if (was == seen)
            {
                break;
            }
            seen = was;
        }
        Interlocked.Increment(ref _processedSinceSample);
    }

    /// <summary>
    /// Closes one sampling period: the lag now is the worst lag of the blocks processed in it, or the age of the oldest
    /// audio still waiting if that is worse. Returns it, or null when the session neither processed nor held audio (idle).
    /// Only the sampler calls this.
    /// </summary>
    public double? Sample(ISessionAudio audio)
    {
        long worst = Interlocked.Exchange(ref _worstSinceSampleTicks, 0);
        long processed = Interlocked.Exchange(ref _processedSinceSample, 0);
        long pending = audio.OldestPendingDue();
        if (processed == 0 && pending == 0)
        {
            Volatile.Write(ref _current, 0);
            return null;
        }
        double lag = Stopwatch.GetElapsedTime(0, worst).TotalSeconds;
        if (pending != 0)
        {
            lag = Math.Max(lag, Math.Max(0, Stopwatch.GetElapsedTime(pending).TotalSeconds));
        }
        int bucket = Array.BinarySearch(BucketBounds, lag);
        _counts[bucket < 0 ? ~bucket : bucket]++;
        _samples++;
        _max = Math.Max(_max, lag);
        Volatile.Write(ref _current, lag);
        return lag;
    }

    /// <summary>The lag at the last sample (0 when idle).</summary>
    public double CurrentSeconds => Volatile.Read(ref _current);

    /// <summary>The largest sampled lag of the session so far.</summary>
    public double MaxSeconds => _max;

    /// <summary>
    /// The 99th percentile of the sampled lags, as the upper bound of the bucket it falls in (the sampled maximum for the
    /// open bucket); 0 before the first sample. Read by the sampler only.
    /// </summary>
    public double P99Seconds
    {
        get
        {
            if (_samples == 0)
            {
                return 0;
            }
            long rank = (long)Math.Ceiling(0.99 * _samples);
            long below = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                below += _counts[i];
                if (below >= rank)
                {
                    return i < BucketBounds.Length ? Math.Min(BucketBounds[i], _max) : _max;
                }
            }
            return _max;
        }
    }
}
