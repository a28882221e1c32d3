// The streaming speech detector marks bridged pauses as the offline detector does: a filled gap of at least
// PauseSeconds is a pause, a shorter one (a breath) is plain speech.
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public sealed class StreamingSpeechDetectorTests
{
    /// <summary>3 s of background, then speech with a 0.5 s gap and a 0.15 s gap, then background (10 ms frames).</summary>
    private static StreamingSpeechDetector Run(EnergySpeechDetectorOptions options)
    {
        var detector = new StreamingSpeechDetector(options, lookaheadSeconds: 1);
        void Push(int frames, bool speech)
        {
            for (int i = 0; i < frames; i++)
            {
                detector.Push(speech ? 60 : 0, speech ? 0.9 : 0);
            }
        }
        Push(300, false);
        Push(200, true);
        Push(50, false);
        Push(200, true);
        Push(15, false);
        Push(200, true);
        Push(300, false);
        detector.Finish();
        return detector;
    }

    [Fact]
    public void A_bridged_gap_of_half_a_second_is_a_pause_and_a_breath_is_speech()
    {
        var detector = Run(new EnergySpeechDetectorOptions());

        Assert.True(detector.IsSpeech(525) && detector.IsPause(525));
        Assert.True(detector.IsSpeech(757) && !detector.IsPause(757));
        Assert.True(detector.IsSpeech(400) && !detector.IsPause(400));
        Assert.False(detector.IsSpeech(100) || detector.IsPause(100));
    }

    [Fact]
    public void Pauses_at_or_above_the_gap_filling_are_not_marked()
    {
        var detector = Run(new EnergySpeechDetectorOptions { PauseSeconds = 1.5 });

        Assert.True(detector.IsSpeech(525));
        Assert.False(detector.IsPause(525));
    }
}
