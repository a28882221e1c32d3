// The live frame rings: frames are read back through the typed layout the analyzer writes, in order only.
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class FrameHistoryTests
{
    private static readonly AnalysisFrameLayout Layout = new(MfccCount: 4, HopSamples: 2);

    private static FrameHistory History(int ringFrames = 8) =>
        new(Layout, firstCoefficient: 1, ringFrames, new StreamingSpeechDetector(new EnergySpeechDetectorOptions(), 1));

    private static float[] Frame(int i)
    {
        var frame = new float[Layout.Dims];
        AnalysisFrameLayout.WriteCues(frame, 50 + i, 0.5f + i / 100f, 100 + i);
        for (int k = 0; k < 4; k++)
        {
            Layout.MfccOf(frame)[k] = 10 * i + k;
        }
        Layout.SamplesOf(frame)[0] = 2 * i;
        Layout.SamplesOf(frame)[1] = 2 * i + 1;
        return frame;
    }

    [Fact]
    public void The_layout_reads_back_what_it_wrote()
    {
        var frame = Frame(3);

        Assert.Equal(3 + 4 + 2, Layout.Dims);
        Assert.Equal(53, AnalysisFrameLayout.EnergyDb(frame));
        Assert.Equal(0.53f, AnalysisFrameLayout.Voicing(frame));
        Assert.Equal(103, AnalysisFrameLayout.PitchLag(frame));
        Assert.Equal([30f, 31, 32, 33], Layout.Mfcc(frame).ToArray());
        Assert.Equal([6f, 7], Layout.Samples(frame).ToArray());
    }

    [Fact]
    public void Pushed_frames_are_read_back_from_the_first_coefficient_with_their_samples()
    {
        var history = History();
        for (int i = 0; i < 20; i++)
        {
            history.Push(i, Frame(i));
        }

        Assert.Equal(20, history.Received);
        Assert.Equal(40, history.ReceivedSamples);
        Assert.Equal([191f, 192, 193], history.Coefficients(19).ToArray());
        Assert.Equal(0.65f, history.Voicing(15));
        Assert.Equal(115, history.PitchLag(15));
        var samples = new float[6];
        history.CopySamples(30, samples);
        Assert.Equal([30f, 31, 32, 33, 34, 35], samples);
        // Eight frames of two samples are kept: sample 23 is gone.
        Assert.Throws<InvalidOperationException>(() => history.CopySamples(23, samples));
    }

    [Fact]
    public void A_frame_out_of_order_or_too_short_is_refused_with_what_was_expected()
    {
        var history = History();
        history.Push(0, Frame(0));

        var late = Assert.Throws<ArgumentException>(() => history.Push(2, Frame(2)));
        Assert.Contains("1 was expected", late.Message);
        var shortFrame = Assert.Throws<ArgumentException>(() => history.Push(1, new float[5]));
        Assert.Contains("needs 9", shortFrame.Message);
    }

    [Fact]
    public void The_default_analyzer_writes_the_layout_the_diarizer_reads()
    {
        var stages = new DefaultDiarizerOptions();
        var analyzer = new DefaultFrameAnalyzer(stages, includeSamples: true);
        var diarizer = new OnlineDiarizer(stages, new OnlineDiarizerOptions(), new SessionOptions(), new ConstantEmbedder());
        Assert.Equal(analyzer.Layout, diarizer.Layout);
        Assert.Equal(analyzer.Dims, diarizer.FrameDims);

        // A 200 Hz tone: every frame carries its hop's samples, and a lag near 80 samples once voiced.
        var tone = new float[16000];
        for (int i = 0; i < tone.Length; i++)
        {
            tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 200 * i / 16000));
        }
        var frames = new List<float[]>();
        var sink = new Collect(frames);
        analyzer.Push(tone, sink);
        analyzer.Flush(sink);
        var layout = analyzer.Layout;
        Assert.Equal(tone.AsSpan(160 * 50, 160).ToArray(), layout.Samples(frames[50]).ToArray());
        Assert.InRange(AnalysisFrameLayout.PitchLag(frames[50]), 79, 81);
        Assert.True(AnalysisFrameLayout.Voicing(frames[50]) > 0.9);
    }

    private sealed class Collect(List<float[]> frames) : IFrameSink
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> features) => frames.Add(features.ToArray());
    }

    private sealed class ConstantEmbedder : Core.Embedding.IWindowEmbedder
    {
        public int Dimension => 4;

        public int SampleRateHz => 16000;

        public bool ZScoreAcrossWindows => false;

        public void EmbedWindows(ReadOnlyMemory<float> samples, ReadOnlySpan<Core.Embedding.SampleRange> windows, Span<float> output) => output.Fill(0.5f);
    }
}
