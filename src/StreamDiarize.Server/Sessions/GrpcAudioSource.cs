// An audio source fed by a Diarize call's request stream: decoded chunks wait in a bounded channel until the pipeline reads them.
using System.Buffers;
using System.Threading.Channels;
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// The request reader writes whole-sample chunks with <see cref="WriteAsync"/>; the pipeline pulls them with
/// <see cref="ReadAsync"/>. The channel is bounded with <see cref="BoundedChannelFullMode.Wait"/>, so a pipeline
/// that falls behind stops the request reader, and HTTP/2 flow control then slows the client.
/// It also remembers when each chunk arrived, so an event can be timed from the audio that caused it.
/// </summary>
public sealed class GrpcAudioSource : ISessionAudio
{
    private readonly Channel<Chunk> _chunks;
    private readonly RawPcmFormat _format;
    private readonly Action<double>? _onSecondsRead;
    private readonly Action<long>? _onNonFinite;
    private long _nonFinite;
    private long _queuedSamples;
    private readonly ArrivalLog _arrivals;
    private Chunk? _current;
    private int _currentOffset;

    public GrpcAudioSource(string sessionId, RawPcmFormat format, int capacityChunks, Action<double>? onSecondsRead = null, Action<long>? onNonFinite = null)
    {
        _onNonFinite = onNonFinite;
        Name = "grpc:" + sessionId;
        _format = format;
        _onSecondsRead = onSecondsRead;
        _arrivals = new ArrivalLog(format.SampleRateHz);
        _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(capacityChunks)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
    }

    public string Name { get; }

    public int SampleRateHz => _format.SampleRateHz;

    /// <summary>
    /// Seconds of audio received from the client and queued for the pipeline so far: all of it is diarized, even when
    /// the session ends now. A chunk still waiting for room (the pipeline behind) is not counted until it is queued.
    /// </summary>
    public double SecondsReceived => (double)Interlocked.Read(ref _queuedSamples) / _format.SampleRateHz;

    /// <summary>Samples that were not audio (NaN, infinite, beyond ±1,000,000) replaced by 0 so far.</summary>
    public long NonFiniteSamples => Interlocked.Read(ref _nonFinite);

    /// <summary>Decodes one chunk of PCM and queues it; waits while the pipeline is behind. Throws INVALID_ARGUMENT for partial samples.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
    {
        if (pcm.Length % _format.BytesPerFrame != 0)
        {
            string encoding = _format.Encoding == RawEncoding.S16LE ? "PCM_S16LE" : "PCM_F32LE";
            string channels = _format.Channels == 1 ? "1 channel" : $"{_format.Channels} channels";
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"audio chunk of {pcm.Length} bytes is not a whole number of {encoding} frames ({_format.BytesPerSample} bytes x {channels}): send whole samples"));
        }
        int frames = pcm.Length / _format.BytesPerFrame;
        if (frames == 0)
        {
            return;
        }
        var buffer = ArrayPool<float>.Shared.Rent(frames);
        PcmConverter.DecodeToMono(pcm.Span, _format, buffer);
        // One NaN poisons every statistic it touches (10 s of speech became 0 speakers), and so does a finite value
        // near float's limit once squared or resampled: silence them, and count them so the client sees it in
        // SessionEnded and the operator in /metrics.
        int repaired = RepairNotAudio(buffer.AsSpan(0, frames));
        if (repaired > 0)
        {
            Interlocked.Add(ref _nonFinite, repaired);
            _onNonFinite?.Invoke(repaired);
        }
        _arrivals.Record(frames);
        try
        {
            await _chunks.Writer.WriteAsync(new Chunk(buffer, frames), cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _queuedSamples, frames);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Replaces what is not audio (NaN, infinities, beyond ±<see cref="PcmConverter.MaxSampleMagnitude"/>) by 0; returns how many there were.</summary>
    public static int RepairNotAudio(Span<float> samples)
    {
        int count = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            if (!PcmConverter.IsAudio(samples[i]))
            {
                samples[i] = 0f;
                count++;
            }
        }
        return count;
    }

    /// <summary>No more audio: normally when <paramref name="error"/> is null (the pipeline then flushes), else failing the session.</summary>
    public bool Complete(Exception? error = null) => _chunks.Writer.TryComplete(error);

    public async ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken)
    {
        if (_current is null)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _arrivals.RecordEnd();
                return 0;
            }
            if (!_chunks.Reader.TryRead(out var next))
            {
                return await ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            _current = next;
            _currentOffset = 0;
        }
        var chunk = _current.Value;
        int count = Math.Min(buffer.Length, chunk.Count - _currentOffset);
        chunk.Buffer.AsSpan(_currentOffset, count).CopyTo(buffer.Span);
        _currentOffset += count;
        if (_currentOffset == chunk.Count)
        {
            ArrayPool<float>.Shared.Return(chunk.Buffer);
            _current = null;
        }
        _onSecondsRead?.Invoke((double)count / _format.SampleRateHz);
        return count;
    }

    public long ArrivalOf(double streamSeconds) => _arrivals.ArrivalOf(streamSeconds);

    public long ArrivalOfEnd() => _arrivals.ArrivalOfEnd();

    public long RealTimeDue(double streamSeconds) => _arrivals.RealTimeDue(streamSeconds);

    public long OldestPendingDue() => _arrivals.OldestPendingDue();

    public void ForgiveLateness() => _arrivals.ForgiveLateness();

    public ValueTask DisposeAsync()
    {
        _chunks.Writer.TryComplete();
        if (_current is { } c)
        {
            ArrayPool<float>.Shared.Return(c.Buffer);
            _current = null;
        }
        while (_chunks.Reader.TryRead(out var rest))
        {
            ArrayPool<float>.Shared.Return(rest.Buffer);
        }
        return ValueTask.CompletedTask;
    }

    private readonly record struct Chunk(float[] Buffer, int Count);
}
