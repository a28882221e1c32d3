// The one cutter offline and live share: segments close at unusable frames and at the length limit.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Segments;

public sealed class PhraseCutterTests
{
    private static List<(long, long)> Cut(string usable, int maxFrames)
    {
        var cutter = new PhraseCutter(maxFrames);
        var segments = new List<(long, long)>();
        for (int i = 0; i < usable.Length; i++)
        {
            if (cutter.Push(i, usable[i] == '1', out long s, out long e))
            {
                segments.Add((s, e));
            }
        }
        if (cutter.Finish(usable.Length, out long fs, out long fe))
        {
            segments.Add((fs, fe));
        }
        return segments;
    }

    [Fact]
    public void Runs_between_unusable_frames_are_segments()
    {
        Assert.Equal([(1, 3), (5, 6)], Cut("0110010", 10));
    }

    [Fact]
    public void A_long_run_is_cut_at_the_limit_and_the_rest_goes_on()
    {
        Assert.Equal([(0, 3), (3, 6), (6, 7)], Cut("1111111", 3));
    }

    [Fact]
    public void The_open_segment_closes_at_the_end_of_the_stream()
    {
        Assert.Equal([(2, 4)], Cut("0011", 10));
        Assert.Empty(Cut("000", 10));
    }
}
