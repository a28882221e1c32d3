// The voice history a live session keeps for naming and for enrolling from a time range: bounded, exact, and silent per frame.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speakers;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Speakers;

public sealed class VoiceFrameHistoryTests
{
    private const double Hop = 0.01;
    private static readonly SegmentClusteringOptions Segments = new() { Coefficients = 3, FirstCoefficient = 1, PitchVoicingThreshold = 0.6 };
    private static readonly AnalysisFrameLayout Layout = new(MfccCount: 5, HopSamples: 0);

    /// <summary>Frame f: MFCCs (f, f + 1, ..., f + 4), voiced (pitch lag 100) on even frames.</summary>
    private static float[] Frame(long f)
    {
        var frame = new float[Layout.Dims];
        AnalysisFrameLayout.WriteCues(frame, -20, f % 2 == 0 ? 0.9f : 0.1f, f % 2 == 0 ? 100 : 0);
        var mfcc = Layout.MfccOf(frame);
        for (int i = 0; i < mfcc.Length; i++)
        {
            mfcc[i] = f + i;
        }
        return frame;
    }

    private static VoiceFrameHistory Filled(double seconds, long frames)
    {
        var history = new VoiceFrameHistory(seconds, Hop, Layout, Segments, 16000);
        for (long f = 0; f < frames; f++)
        {
            history.Record(f, Frame(f));
        }
        return history;
    }

    /// <summary>What a model of frames [from, to) must hold: c1..c3 and the log F0 of the voiced ones.</summary>
    private static GaussianStats Expected(long from, long to)
    {
        var g = new GaussianStats(3);
        for (long f = from; f < to; f++)
        {
            g.Add(Layout.Mfcc(Frame(f)).Slice(1, 3));
            if (f % 2 == 0)
            {
                g.AddAux((float)Core.Embedding.PitchAccumulator.LogF0(100, 16000));
            }
        }
        return g;
    }

    private static void AssertSame(GaussianStats expected, GaussianStats actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.AuxCount, actual.AuxCount);
        Assert.Equal(expected.AuxSum, actual.AuxSum, 9);
        Assert.Equal(expected.Sum, actual.Sum);
        Assert.Equal(expected.Scatter, actual.Scatter);
    }

    [Fact]
    public void A_range_inside_the_history_models_exactly_its_frames()
    {
        var history = Filled(30, 1500);
        Assert.Equal((0.0, 15.0), history.Kept);
        AssertSame(Expected(200, 700), history.Model(2, 7));
    }

    [Fact]
    public void Frames_older_than_the_capacity_are_gone_and_never_counted()
    {
        // 20 s asked, 2000 frames held; 3500 recorded: frames 0..1499 were overwritten.
        var history = Filled(20, 3500);
        Assert.Equal(2000, history.CapacityFrames);
        Assert.Equal((15.0, 35.0), history.Kept);
        AssertSame(Expected(1500, 1800), history.Model(10, 18));
        Assert.Equal(0, history.Model(0, 14).Count);
    }

    [Fact]
    public void A_speakers_model_takes_its_own_frames_of_the_range_and_leaves_overlap_out()
    {
        var history = Filled(60, 3000);
        SpeakerSegment[] turns =
        [
            new(0, 5, "S0"),
            new(5, 12, "S1"),
            new(11, 16, "S0"), // 11-12 is both speakers': neither model reads it
            new(20, 30, "S1"),
        ];
        var models = history.ModelSpeakers(turns, 3, 25);
        var s0 = Expected(300, 500);
        s0.Add(Expected(1200, 1600));
        var s1 = Expected(500, 1100);
        s1.Add(Expected(2000, 2500));
        AssertSame(s0, models["S0"]);
        AssertSame(s1, models["S1"]);
        Assert.Equal(2, models.Count);
        Assert.Empty(history.ModelSpeakers(turns, 16, 20));
    }

    [Fact]
    public void Once_grown_recording_a_frame_allocates_nothing()
    {
        var history = Filled(20, 2500);
        var frame = Frame(7);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long f = 2500; f < 6000; f++)
        {
            history.Record(f, frame);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Memory_grows_with_the_session_up_to_the_capacity_only()
    {
        long Grown(long frames)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var history = new VoiceFrameHistory(300, Hop, Layout, Segments, 16000);
            var frame = Frame(1);
            for (long f = 0; f < frames; f++)
            {
                history.Record(f, frame);
            }
            GC.KeepAlive(history);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        double perSecond = VoiceFrameHistory.BytesPerSecond(Segments, Hop);
        Assert.Equal(1600, perSecond);
        // 5 s of a 300 s history holds one 10 s block; an hour holds the 300 s and no more.
        Assert.InRange(Grown(500), 10 * perSecond, 10 * perSecond + 4096);
        Assert.InRange(Grown(360_000), 300 * perSecond, 300 * perSecond + 4096);
    }
}
