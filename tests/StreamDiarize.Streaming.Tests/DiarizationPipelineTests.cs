// The channel plumbing: every frame arrives in order, backpressure reaches the source, errors and cancellation end every stage.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming;
using StreamDiarize.Streaming.Sinks;

namespace StreamDiarize.Streaming.Tests;

public sealed class DiarizationPipelineTests
{
    private static readonly FeaturizerOptions Mfcc = new FeaturizerOptions { FeatureType = FeatureType.Mfcc, NumFeatureBins = 40, NumMfcc = 20 }.AsCausal();

    private static AudioClip Noise(double seconds, int rate = 16000)
    {
        var random = new Random(3);
        var x = new float[(int)(seconds * rate)];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        }
        return new AudioClip("noise", x, rate);
    }

    private static IFrameAnalyzer Analyzer() => new FeaturizerFrameAnalyzer(new StreamingFeaturizer(Mfcc));

    /// <summary>A unit stand-in for the real diarizer: records frame indices and emits one final segment per second.</summary>
    private sealed class RecordingDiarizer(int failAtFrame = -1) : IFrameDiarizer
    {
        public List<long> Frames { get; } = [];

        public bool Completed { get; private set; }

        public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
        {
            if (frameIndex == failAtFrame)
            {
                throw new InvalidDataException("diarizer broke at frame " + frameIndex);
            }
            Frames.Add(frameIndex);
            if ((frameIndex + 1) % 100 == 0)
            {
                events.Add(new SegmentEvent(new SpeakerSegment((frameIndex - 99) / 100.0, (frameIndex + 1) / 100.0, "S0"), true));
            }
        }

        public void Complete(List<DiarizationEvent> events)
        {
            Completed = true;
            events.Add(new SessionEndedEvent(Frames.Count / 100.0, 1, 0, 0));
        }
    }

    private sealed class CompletionSink : LedgerSink
    {
        public Exception? Error { get; private set; }

        public bool CompletedNormally { get; private set; }

        public List<DiarizationEvent> Events { get; } = [];

        public override ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
        {
            Events.Add(diarizationEvent);
            return base.WriteAsync(diarizationEvent, cancellationToken);
        }

        public override ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken)
        {
            Error = error;
            CompletedNormally = error is null;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Every_frame_reaches_the_diarizer_in_order_and_completion_flushes_the_end()
    {
        var clip = Noise(3.0);
        var diarizer = new RecordingDiarizer();
        var sink = new CompletionSink();
        var pipeline = new DiarizationPipeline(Analyzer(), diarizer, [sink]);
        await pipeline.RunAsync(new ClipAudioSource(clip, 10, 8000, seed: 5), CancellationToken.None);

        int expected = new SttFeaturizer(Mfcc).FrameCount(clip.Samples.Length);
        Assert.Equal(Enumerable.Range(0, expected).Select(i => (long)i), diarizer.Frames);
        Assert.True(diarizer.Completed);
        Assert.True(sink.CompletedNormally);
        Assert.IsType<SessionEndedEvent>(sink.Events[^1]);
        Assert.Equal(3, sink.Events.OfType<SegmentEvent>().Count(e => e.IsFinal));
        // Touching pieces of one speaker are one turn in the ledger.
        Assert.Single(sink.Ledger.Final);
        Assert.Equal(clip.Samples.Length, pipeline.SourceSamplesRead);
    }

    [Fact]
    public async Task Frames_are_the_same_whatever_the_chunk_sizes()
    {
        var clip = Noise(2.0);
        var a = new List<float[]>();
        var b = new List<float[]>();
        await new DiarizationPipeline(Analyzer(), new CopyingDiarizer(a), []).RunAsync(new ClipAudioSource(clip, 160, 160), CancellationToken.None);
        await new DiarizationPipeline(Analyzer(), new CopyingDiarizer(b), []).RunAsync(new ClipAudioSource(clip, 1, 8000, seed: 9), CancellationToken.None);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i], b[i]);
        }
    }

    private sealed class CopyingDiarizer(List<float[]> frames) : IFrameDiarizer
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events) => frames.Add(frame.ToArray());

        public void Complete(List<DiarizationEvent> events)
        {
        }
    }

    /// <summary>Counts reads, so a test can see the source stop when the pipeline is full.</summary>
    private sealed class CountingSource(AudioClip clip) : IAudioSource
    {
        private readonly ClipAudioSource _inner = new(clip, 320, 320);
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public string Name => "counting";

        public int SampleRateHz => clip.SampleRateHz;

        public ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return _inner.ReadAsync(buffer, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class BlockingSink : IEventSink
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstEvent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
        {
            FirstEvent.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }

        public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_stalled_sink_stops_the_source_reading_until_it_resumes()
    {
        var clip = Noise(60.0);
        var source = new CountingSource(clip);
        var sink = new BlockingSink();
        var options = new PipelineOptions { ChannelCapacityBlocks = 2 };
        var run = new DiarizationPipeline(Analyzer(), new RecordingDiarizer(), [sink], options).RunAsync(source, CancellationToken.None);

        await sink.FirstEvent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Let the stages fill every bounded channel; after that the source must wait.
        int before;
        int after = source.Reads;
        do
        {
            before = after;
            await Task.Delay(200);
            after = source.Reads;
        }
        while (after != before);
        int totalReads = clip.Samples.Length / 320;
        Assert.True(after < totalReads / 4, $"source read {after} of {totalReads} blocks while the sink was stalled");
        Assert.False(run.IsCompleted);

        sink.Release.SetResult();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(source.Reads >= totalReads);
    }

    [Fact]
    public async Task Cancellation_stops_every_stage()
    {
        var clip = Noise(60.0);
        var sink = new BlockingSink();
        using var cts = new CancellationTokenSource();
        var run = new DiarizationPipeline(Analyzer(), new RecordingDiarizer(), [sink]).RunAsync(new ClipAudioSource(clip), cts.Token);
        await sink.FirstEvent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_error_in_one_stage_ends_the_pipeline_with_that_error()
    {
        var sink = new CompletionSink();
        var run = new DiarizationPipeline(Analyzer(), new RecordingDiarizer(failAtFrame: 150), [sink]).RunAsync(new ClipAudioSource(Noise(10.0)), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("frame 150", ex.Message);
        Assert.False(sink.CompletedNormally);
    }

    private sealed class FailingSource : IAudioSource
    {
        private int _reads;

        public string Name => "failing";

        public int SampleRateHz => 16000;

        public ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken) =>
            ++_reads > 20 ? throw new IOException("device unplugged") : ValueTask.FromResult(buffer.Length);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_source_error_reaches_the_caller_and_the_sinks()
    {
        var sink = new CompletionSink();
        var run = new DiarizationPipeline(Analyzer(), new RecordingDiarizer(), [sink]).RunAsync(new FailingSource(), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<IOException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("device unplugged", ex.Message);
        Assert.IsType<IOException>(sink.Error);
    }

    [Fact]
    public async Task A_48kHz_source_is_resampled_to_the_16kHz_frame_rate()
    {
        var clip = Noise(2.0, rate: 48000);
        var diarizer = new RecordingDiarizer();
        await new DiarizationPipeline(Analyzer(), diarizer, []).RunAsync(new ClipAudioSource(clip, 960, 960), CancellationToken.None);
        // 2 s at a 10 ms hop is 201 centred frames; the resampler's filter delay may cost a frame or two.
        Assert.InRange(diarizer.Frames.Count, 197, 202);
    }

    /// <summary>Notes on which kind of thread each call came, and says it may wait on other sessions when asked to.</summary>
    private sealed class ThreadNotingDiarizer(bool mayWait) : IFrameDiarizer, IDisposable
    {
        public bool MayWait => mayWait;

        public int Calls { get; private set; }

        public int OnPoolThreads { get; private set; }

        public bool Disposed { get; private set; }

        public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
        {
            Calls++;
            OnPoolThreads += Thread.CurrentThread.IsThreadPoolThread ? 1 : 0;
            if ((frameIndex + 1) % 100 == 0)
            {
                events.Add(new SegmentEvent(new SpeakerSegment((frameIndex - 99) / 100.0, (frameIndex + 1) / 100.0, "S0"), true));
            }
        }

        public void Complete(List<DiarizationEvent> events)
        {
            OnPoolThreads += Thread.CurrentThread.IsThreadPoolThread ? 1 : 0;
            events.Add(new SessionEndedEvent(Calls / 100.0, 1, 0, 0));
        }

        public void Dispose() => Disposed = true;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_diarizer_that_may_wait_on_other_sessions_runs_on_a_thread_of_its_own(bool mayWait)
    {
        var diarizer = new ThreadNotingDiarizer(mayWait);
        var sink = new CompletionSink();
        await new DiarizationPipeline(Analyzer(), diarizer, [sink]).RunAsync(new ClipAudioSource(Noise(3.0), 1600, 1600), CancellationToken.None);

        Assert.True(diarizer.Calls > 250);
        // Otherwise the stage is an async method: calls run wherever its awaits resume, mostly on pool threads.
        if (mayWait)
        {
            Assert.Equal(0, diarizer.OnPoolThreads);
        }
        else
        {
            Assert.True(diarizer.OnPoolThreads > 0);
        }
        Assert.True(sink.CompletedNormally);
        Assert.Equal(diarizer.Calls / 100, sink.Events.OfType<SegmentEvent>().Count(e => e.IsFinal));
        Assert.True(diarizer.Disposed);
    }
}
