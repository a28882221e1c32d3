// The ring between the capture thread and the pipeline: order kept, overflow counted, the writer never waits.
using System.Diagnostics;
using StreamDiarize.Audio.Capture;

namespace StreamDiarize.Capture.Tests;

public sealed class SampleRingBufferTests
{
    private static float[] Ramp(int start, int count) => Enumerable.Range(start, count).Select(i => (float)i).ToArray();

    [Fact]
    public void A_full_ring_keeps_what_fits_and_counts_the_newest_samples_it_drops()
    {
        var ring = new SampleRingBuffer(10);

        Assert.Equal(6, ring.TryWrite(Ramp(0, 6)));
        Assert.Equal(4, ring.TryWrite(Ramp(6, 7)));

        Assert.Equal(3, ring.OverflowSamples);
        Assert.Equal(1, ring.OverflowEvents);
        var read = new float[16];
        Assert.Equal(10, ring.Read(read));
        Assert.Equal(Ramp(0, 10), read[..10]);
    }

    [Fact]
    public void The_reader_gets_samples_in_order_across_the_wrap_around()
    {
        var ring = new SampleRingBuffer(7);
        var output = new List<float>();
        var chunk = new float[5];
        int next = 0;
        for (int round = 0; round < 50; round++)
        {
            next += ring.TryWrite(Ramp(next, 3 + round % 4));
            int n = ring.Read(chunk.AsSpan(0, 1 + round % 5));
            output.AddRange(chunk[..n]);
        }
        int rest;
        while ((rest = ring.Read(chunk)) > 0)
        {
            output.AddRange(chunk[..rest]);
        }
        Assert.Equal(Ramp(0, next), output);
    }

    [Fact]
    public void The_writer_never_blocks_when_nobody_reads()
    {
        var ring = new SampleRingBuffer(1600);
        var block = new float[320];
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 100_000; i++)
        {
            ring.TryWrite(block);
        }
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"100000 writes to a full ring took {watch.Elapsed}");
        Assert.Equal(100_000L * 320 - 1600, ring.OverflowSamples);
        Assert.Equal(100_000 - 5, ring.OverflowEvents);
    }

    [Fact]
    public async Task A_concurrent_writer_and_reader_see_every_kept_sample_once_in_order()
    {
        var ring = new SampleRingBuffer(4096);
        const int total = 256 * 8000;
        var writer = Task.Run(() =>
        {
            var block = new float[256];
            for (int start = 0; start < total; start += block.Length)
            {
                for (int i = 0; i < block.Length; i++)
                {
                    block[i] = start + i;
                }
                ring.TryWrite(block);
            }
        });
        var seen = new List<float>(total);
        var buffer = new float[300];
        while (!writer.IsCompleted || ring.Count > 0)
        {
            int n = ring.Read(buffer);
            seen.AddRange(buffer.AsSpan(0, n));
        }
        await writer;

        for (int i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i] > seen[i - 1], $"sample {i} ({seen[i]}) is not after {seen[i - 1]}");
        }
        Assert.Equal(total, seen.Count + ring.OverflowSamples);
    }
}
