// A single-producer single-consumer ring of float samples: the capture thread writes, the pipeline reads, neither locks.
namespace StreamDiarize.Audio.Capture;

/// <summary>
/// A lock-free SPSC ring. <see cref="TryWrite"/> never blocks and never touches the reader's index: when the ring is
/// full it keeps what fits and drops the <em>newest</em> samples, counting them. Dropping the newest (rather than the
/// oldest) is what keeps this lock-free, since only the reader moves the read index; either way the buffer holds the
/// same amount of audio, so the latency after an overflow is the same. Exactly one thread may write and one read.
/// </summary>
public sealed class SampleRingBuffer
{
    private readonly float[] _buffer;
    private long _written; // total samples ever written; only the writer stores it
    private long _read;    // total samples ever read; only the reader stores it
    private long _overflowSamples;
    private long _overflowEvents;

    public SampleRingBuffer(int capacitySamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacitySamples, 1);
        _buffer = new float[capacitySamples];
    }

    public int CapacitySamples => _buffer.Length;

    /// <summary>Samples waiting to be read.</summary>
    public int Count => (int)(Volatile.Read(ref _written) - Volatile.Read(ref _read));

    /// <summary>Samples dropped because the ring was full.</summary>
    public long OverflowSamples => Interlocked.Read(ref _overflowSamples);

    /// <summary>Writes that could not keep all their samples.</summary>
    public long OverflowEvents => Interlocked.Read(ref _overflowEvents);

    /// <summary>Total samples accepted into the ring.</summary>
    public long WrittenSamples => Volatile.Read(ref _written);

    /// <summary>Writer side: copies what fits, counts the rest as overflow. Returns the samples kept.</summary>
    public int TryWrite(ReadOnlySpan<float> samples, bool countOverflow = true)
    {
        long written = _written;
        int free = _buffer.Length - (int)(written - Volatile.Read(ref _read));
        int n = Math.Min(free, samples.Length);
        Copy(samples[..n], written);
        // Publish after the copy: the reader never sees an index ahead of its samples.
        Volatile.Write(ref _written, written + n);
        if (n < samples.Length && countOverflow)
        {
            Interlocked.Add(ref _overflowSamples, samples.Length - n);
            Interlocked.Increment(ref _overflowEvents);
        }
        return n;
    }

    /// <summary>Reader side: copies up to <c>destination.Length</c> samples in the order written. Returns the count.</summary>
    public int Read(Span<float> destination)
    {
        long read = _read;
        int available = (int)(Volatile.Read(ref _written) - read);
        int n = Math.Min(available, destination.Length);
        int start = (int)(read % _buffer.Length);
        int first = Math.Min(n, _buffer.Length - start);
        _buffer.AsSpan(start, first).CopyTo(destination);
        _buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        Volatile.Write(ref _read, read + n);
        return n;
    }

    private void Copy(ReadOnlySpan<float> samples, long position)
    {
        int start = (int)(position % _buffer.Length);
        int first = Math.Min(samples.Length, _buffer.Length - start);
        samples[..first].CopyTo(_buffer.AsSpan(start, first));
        samples[first..].CopyTo(_buffer.AsSpan(0, samples.Length - first));
    }
}
