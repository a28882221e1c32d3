// One session's pipeline: source -> resampler -> analyzer -> diarizer -> sinks, each stage a task joined by bounded channels.
using System.Buffers;
using System.Threading.Channels;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Streaming;

/// <summary>
/// Runs one session. Channels between stages are bounded with <see cref="BoundedChannelFullMode.Wait"/>, so a slow
/// stage slows the source instead of buffering without end. Every stage completes its output in <c>finally</c>
/// and passes its error on; the first error cancels the other stages and is what <see cref="RunAsync"/> throws.
/// Cancellation stops every stage; normal completion flushes the analyzer and the diarizer, so final segments
/// reach the sinks before the sinks complete.
/// </summary>
public sealed class DiarizationPipeline
{
    public const int PipelineSampleRateHz = 16000;

    private readonly IFrameAnalyzer _analyzer;
    private readonly IFrameDiarizer _diarizer;
    private readonly IReadOnlyList<IEventSink> _sinks;
    private readonly PipelineOptions _options;

    public DiarizationPipeline(IFrameAnalyzer analyzer, IFrameDiarizer diarizer, IReadOnlyList<IEventSink> sinks, PipelineOptions? options = null)
    {
        _options = options ?? new PipelineOptions();
        OptionsValidationException.ThrowIfAny(_options.GetValidationErrors());
        _analyzer = analyzer;
        _diarizer = diarizer;
        _sinks = sinks;
    }

    /// <summary>Samples read from the source so far (at the source's rate).</summary>
    public long SourceSamplesRead => Interlocked.Read(ref _sourceSamples);

    private long _sourceSamples;

    public async Task RunAsync(IAudioSource source, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ct = linked.Token;
        var audio = NewChannel<AudioBlock>();
        var resampled = NewChannel<AudioBlock>();
        var frames = NewChannel<FrameBlock>();
        var events = NewChannel<DiarizationEvent>();

        var stages = new[]
        {
            Guard(() => SourceStage(source, audio.Writer, ct), linked),
            Guard(() => ResampleStage(source.SampleRateHz, audio.Reader, resampled.Writer, ct), linked),
            Guard(() => AnalyzeStage(resampled.Reader, frames.Writer, ct), linked),
            Guard(() => _diarizer.MayWait && _options.WaitingDiarizerOnOwnThread
                ? Task.Factory.StartNew(() => DiarizeOnOwnThread(frames.Reader, events.Writer, ct), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                : DiarizeStage(frames.Reader, events.Writer, ct), linked),
            Guard(() => SinkStage(events.Reader, ct), linked),
        };
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch (Exception caught)
        {
            // Report the first real failure, not the cancellations it caused in the other stages.
            var firstError = stages.Where(s => s.IsFaulted).Select(s => s.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            var reported = cancellationToken.IsCancellationRequested ? new OperationCanceledException(cancellationToken) : firstError ?? caught;
            await CompleteSinks(reported, CancellationToken.None).ConfigureAwait(false);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(reported).Throw();
            throw;
        }
        finally
        {
            DrainAndReturn(audio.Reader);
            DrainAndReturn(resampled.Reader);
            while (frames.Reader.TryRead(out var f))
            {
                f.Return();
            }
        }
        await CompleteSinks(null, cancellationToken).ConfigureAwait(false);
    }

    private Channel<T> NewChannel<T>() => Channel.CreateBounded<T>(new BoundedChannelOptions(_options.ChannelCapacityBlocks)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private static async Task Guard(Func<Task> stage, CancellationTokenSource cancelOthers)
    {
        try
        {
            await stage().ConfigureAwait(false);
        }
        catch
        {
            await cancelOthers.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task SourceStage(IAudioSource source, ChannelWriter<AudioBlock> output, CancellationToken ct)
    {
        Exception? error = null;
        try
        {
            long position = 0;
            while (true)
            {
                var buffer = ArrayPool<float>.Shared.Rent(_options.SourceBlockSamples);
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, _options.SourceBlockSamples), ct).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<float>.Shared.Return(buffer);
                    throw;
                }
                if (read <= 0)
                {
                    ArrayPool<float>.Shared.Return(buffer);
                    break;
                }
                await WriteOrReturn(output, new AudioBlock(buffer, read, position), ct).ConfigureAwait(false);
                position += read;
                Interlocked.Add(ref _sourceSamples, read);
            }
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            output.TryComplete(error);
        }
    }

    private async Task ResampleStage(int sourceRateHz, ChannelReader<AudioBlock> input, ChannelWriter<AudioBlock> output, CancellationToken ct)
    {
        Exception? error = null;
        try
        {
            var resampler = sourceRateHz == PipelineSampleRateHz ? null
                : new StreamingResampler(sourceRateHz, PipelineSampleRateHz, _options.SourceBlockSamples);
            long position = 0;
            await foreach (var block in input.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (resampler is null)
                {
                    await WriteOrReturn(output, block, ct).ConfigureAwait(false);
                    continue;
                }
                var converted = Resample(resampler, block, position);
                await WriteOrReturn(output, converted, ct).ConfigureAwait(false);
                position += converted.Count;
            }
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            output.TryComplete(error);
        }
    }

    private static AudioBlock Resample(StreamingResampler resampler, AudioBlock block, long position)
    {
        try
        {
            var converted = resampler.Process(block.Samples);
            var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, converted.Length));
            converted.CopyTo(buffer);
            return new AudioBlock(buffer, converted.Length, position);
        }
        finally
        {
            block.Return();
        }
    }

    private async Task AnalyzeStage(ChannelReader<AudioBlock> input, ChannelWriter<FrameBlock> output, CancellationToken ct)
    {
        Exception? error = null;
        var collector = new FrameCollector(_analyzer.Dims, _options.FramesPerBlock);
        try
        {
            await foreach (var block in input.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    _analyzer.Push(block.Samples, collector);
                }
                finally
                {
                    block.Return();
                }
                // Send what this audio produced now, even a part-filled block: holding frames for the next audio
                // block would add its whole duration to the event latency.
                collector.CloseCurrent();
                await collector.DrainFullAsync(output, ct).ConfigureAwait(false);
            }
            _analyzer.Flush(collector);
            collector.CloseCurrent();
            await collector.DrainFullAsync(output, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            collector.ReturnAll();
            output.TryComplete(error);
        }
    }

    private async Task DiarizeStage(ChannelReader<FrameBlock> input, ChannelWriter<DiarizationEvent> output, CancellationToken ct)
    {
        Exception? error = null;
        var pending = new List<DiarizationEvent>();
        try
        {
            await foreach (var block in input.ReadAllAsync(ct).ConfigureAwait(false))
            {
                Diarize(block, pending);
                await WriteAll(output, pending, ct).ConfigureAwait(false);
            }
            _diarizer.Complete(pending);
            await WriteAll(output, pending, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            EndDiarizer(output, error);
        }
    }

    /// <summary>
    /// The diarize stage for a diarizer that may wait on other sessions (<see cref="IFrameDiarizer.MayWait"/>): on a
    /// thread of its own, which may block, so that many such sessions never hold thread-pool threads while they wait
    /// (the pool runs the batch worker, the other stages and the server).
    /// </summary>
    private void DiarizeOnOwnThread(ChannelReader<FrameBlock> input, ChannelWriter<DiarizationEvent> output, CancellationToken ct)
    {
        Exception? error = null;
        var pending = new List<DiarizationEvent>();
        try
        {
            while (Wait(input.WaitToReadAsync(ct)))
            {
                while (input.TryRead(out var block))
                {
                    Diarize(block, pending);
                    foreach (var e in pending)
                    {
                        Wait(output.WriteAsync(e, ct));
                    }
                    pending.Clear();
                }
            }
            _diarizer.Complete(pending);
            foreach (var e in pending)
            {
                Wait(output.WriteAsync(e, ct));
            }
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            EndDiarizer(output, error);
        }
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    private void Diarize(FrameBlock block, List<DiarizationEvent> pending)
    {
        try
        {
            for (int i = 0; i < block.Frames; i++)
            {
                _diarizer.OnFrame(block.FirstFrame + i, block.Frame(i), pending);
            }
        }
        finally
        {
            block.Return();
        }
    }

    private void EndDiarizer(ChannelWriter<DiarizationEvent> output, Exception? error)
    {
        output.TryComplete(error);
        // The diarizer is this session's alone; it may hold a model's lease (a neural VAD).
        (_diarizer as IDisposable)?.Dispose();
    }

    private async Task SinkStage(ChannelReader<DiarizationEvent> input, CancellationToken ct)
    {
        await foreach (var e in input.ReadAllAsync(ct).ConfigureAwait(false))
        {
            foreach (var sink in _sinks)
            {
                await sink.WriteAsync(e, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task CompleteSinks(Exception? error, CancellationToken ct)
    {
        foreach (var sink in _sinks)
        {
            await sink.CompleteAsync(error, ct).ConfigureAwait(false);
        }
    }

    private static async ValueTask WriteAll(ChannelWriter<DiarizationEvent> output, List<DiarizationEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            await output.WriteAsync(e, ct).ConfigureAwait(false);
        }
        events.Clear();
    }

    private static async ValueTask WriteOrReturn(ChannelWriter<AudioBlock> output, AudioBlock block, CancellationToken ct)
    {
        try
        {
            await output.WriteAsync(block, ct).ConfigureAwait(false);
        }
        catch
        {
            block.Return();
            throw;
        }
    }

    private static void DrainAndReturn(ChannelReader<AudioBlock> reader)
    {
        while (reader.TryRead(out var block))
        {
            block.Return();
        }
    }

    /// <summary>Packs frames delivered by the analyzer into pooled blocks of fixed size.</summary>
    private sealed class FrameCollector(int dims, int framesPerBlock) : IFrameSink
    {
        private readonly Queue<FrameBlock> _full = new();
        private float[]? _current;
        private int _count;
        private long _first;

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
        {
            if (_current is null)
            {
                _current = ArrayPool<float>.Shared.Rent(dims * framesPerBlock);
                _count = 0;
                _first = frameIndex;
            }
            features.CopyTo(_current.AsSpan(_count * dims, dims));
            _count++;
            if (_count == framesPerBlock)
            {
                CloseCurrent();
            }
        }

        public void CloseCurrent()
        {
            if (_current is not null)
            {
                _full.Enqueue(new FrameBlock(_current, _count, dims, _first));
                _current = null;
            }
        }

        public async ValueTask DrainFullAsync(ChannelWriter<FrameBlock> output, CancellationToken ct)
        {
            while (_full.Count > 0)
            {
                await output.WriteAsync(_full.Peek(), ct).ConfigureAwait(false);
                _full.Dequeue();
            }
        }

        public void ReturnAll()
        {
            while (_full.Count > 0)
            {
                _full.Dequeue().Return();
            }
            if (_current is not null)
            {
                ArrayPool<float>.Shared.Return(_current);
                _current = null;
            }
        }
    }
}
