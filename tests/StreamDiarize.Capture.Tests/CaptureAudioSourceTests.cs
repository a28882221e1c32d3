// The source around a capture thread: stop drains then ends, dispose never hangs, cancellation and errors reach the reader.
using System.Diagnostics;
using StreamDiarize.Audio.Capture;

namespace StreamDiarize.Capture.Tests;

public sealed class CaptureAudioSourceTests
{
    /// <summary>A unit stand-in for a device: a ramp in blocks, paced like real time when live, optionally failing.</summary>
    private sealed class RampStream(bool isLive, int blocks = int.MaxValue, int blockSamples = 160, int pauseMs = 10, Exception? failAfter = null) : ICaptureStream
    {
        public string DeviceName => "ramp";

        public int SampleRateHz => 16000;

        public bool IsLive => isLive;

        public bool Disposed { get; private set; }

        public void Run(ICaptureSink sink, CancellationToken stop)
        {
            var block = new float[blockSamples];
            for (int b = 0; b < blocks && !stop.IsCancellationRequested; b++)
            {
                for (int i = 0; i < block.Length; i++)
                {
                    block[i] = b * blockSamples + i;
                }
                sink.Write(block);
                if (pauseMs > 0)
                {
                    Thread.Sleep(pauseMs);
                }
            }
            if (failAfter is not null)
            {
                throw failAfter;
            }
        }

        public void Dispose() => Disposed = true;
    }

    private static async Task<List<float>> ReadAll(CaptureAudioSource source, int chunk = 500)
    {
        var all = new List<float>();
        var buffer = new float[chunk];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int n;
        while ((n = await source.ReadAsync(buffer, guard.Token)) > 0)
        {
            all.AddRange(buffer.AsSpan(0, n));
        }
        return all;
    }

    [Fact]
    public async Task A_pipe_that_outruns_the_reader_is_paused_not_dropped()
    {
        var stream = new RampStream(isLive: false, blocks: 1000, pauseMs: 0);
        await using var source = new CaptureAudioSource(stream, new CaptureOptions { RingSeconds = 0.1, FramesPerRead = 160 });

        var all = await ReadAll(source, chunk: 97);

        Assert.Equal(160_000, all.Count);
        Assert.Equal(Enumerable.Range(0, 160_000).Select(i => (float)i), all);
        Assert.Equal(0, source.OverflowSamples);
    }

    [Fact]
    public async Task A_live_device_ahead_of_a_stalled_reader_drops_and_counts_instead_of_waiting()
    {
        var stream = new RampStream(isLive: true, blocks: 200, pauseMs: 0);
        await using var source = new CaptureAudioSource(stream, new CaptureOptions { RingSeconds = 0.1, FramesPerRead = 160 });
        var watch = Stopwatch.StartNew();
        while (source.CapturedSamples + source.OverflowSamples < 200 * 160 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.Equal(1600, source.CapturedSamples);
        Assert.Equal(200 * 160 - 1600, source.OverflowSamples);
        Assert.True(source.OverflowEvents >= 190);
        var all = await ReadAll(source);
        Assert.Equal(Enumerable.Range(0, 1600).Select(i => (float)i), all);
    }

    [Fact]
    public async Task Stop_hands_over_what_is_buffered_and_then_ends_the_stream()
    {
        var stream = new RampStream(isLive: true);
        await using var source = new CaptureAudioSource(stream);
        await Task.Delay(200);

        source.Stop();
        var all = await ReadAll(source);

        Assert.NotEmpty(all);
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (float)i), all);
        Assert.Equal(0, source.OverflowSamples);
    }

    [Fact]
    public async Task Max_seconds_ends_the_stream_after_exactly_that_much_audio()
    {
        var stream = new RampStream(isLive: true, pauseMs: 1);
        await using var source = new CaptureAudioSource(stream, new CaptureOptions { MaxSeconds = 0.5 });

        var all = await ReadAll(source, chunk: 333);

        Assert.Equal(8000, all.Count);
    }

    [Fact]
    public async Task Dispose_returns_promptly_while_a_reader_waits_ends_that_read_and_closes_the_device()
    {
        var blocking = new BlockingStream();
        var source = new CaptureAudioSource(blocking);
        using var cts = new CancellationTokenSource();
        var pending = source.ReadAsync(new float[100], cts.Token).AsTask();

        var watch = Stopwatch.StartNew();
        await source.DisposeAsync();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"dispose took {watch.Elapsed}");
        Assert.True(blocking.Disposed);
        Assert.Equal(0, await pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_waiting_read_honours_cancellation()
    {
        await using var source = new CaptureAudioSource(new BlockingStream());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(new float[100], cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_device_failure_reaches_the_reader_after_the_samples_before_it()
    {
        var failure = new CaptureException("ramp", CaptureErrorKind.Failed, "capture from 'ramp' stopped: unplugged");
        await using var source = new CaptureAudioSource(new RampStream(isLive: true, blocks: 3, pauseMs: 0, failAfter: failure));
        var buffer = new float[480];
        int got = 0;

        var thrown = await Assert.ThrowsAsync<CaptureException>(async () =>
        {
            while (true)
            {
                got += await source.ReadAsync(buffer, CancellationToken.None);
            }
        });

        Assert.Equal(480, got);
        Assert.Same(failure, thrown);
    }

    /// <summary>A device that delivers nothing until stopped, like a silent server.</summary>
    private sealed class BlockingStream : ICaptureStream
    {
        public string DeviceName => "blocking";

        public int SampleRateHz => 16000;

        public bool IsLive => true;

        public bool Disposed { get; private set; }

        public void Run(ICaptureSink sink, CancellationToken stop) => stop.WaitHandle.WaitOne();

        public void Dispose() => Disposed = true;
    }
}
