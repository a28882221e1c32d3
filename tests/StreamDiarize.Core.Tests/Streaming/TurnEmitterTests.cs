// Final turns from committed frames: nearest window centre, bridged pauses by the shared rule, relabels announced.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class TurnEmitterTests
{
    private const double Hop = 0.01;

    private sealed record Setup(FrameHistory Frames, WindowMemory Memory, SpeakerRoster Roster, TurnEmitter Turns);

    /// <summary>Frames of background and speech (10 ms each) through the streaming detector, then the end of the stream.</summary>
    private static Setup Make(params (int Frames, bool Speech)[] parts)
    {
        var layout = new AnalysisFrameLayout(MfccCount: 2, HopSamples: 0);
        var speechOptions = new EnergySpeechDetectorOptions();
        var frames = new FrameHistory(layout, 1, 4096, new StreamingSpeechDetector(speechOptions, 1));
        var frame = new float[layout.Dims];
        long i = 0;
        foreach (var (count, speech) in parts)
        {
            for (int k = 0; k < count; k++)
            {
                AnalysisFrameLayout.WriteCues(frame, speech ? 60 : 0, speech ? 0.9f : 0, speech ? 100 : 0);
                frames.Push(i++, frame);
            }
        }
        frames.Speech.Finish();
        var space = new WindowSpace(2, 0, false, 0, 0);
        var memory = new WindowMemory(new OnlineDiarizerOptions(), space, new VectorPool(2, 10), splitting: false);
        var roster = new SpeakerRoster();
        int gapFrames = (int)Math.Round(speechOptions.GapFillSeconds / Hop);
        var turns = new TurnEmitter(frames, memory, roster, dropPauses: true, gapFrames, pieceFrames: 100_000, Hop);
        return new Setup(frames, memory, roster, turns);
    }

    private static List<SegmentEvent> Finals(List<DiarizationEvent> events) => events.OfType<SegmentEvent>().Where(e => e.IsFinal).ToList();

    /// <summary>Four seconds of speech from frame 300, two speakers' windows centred on frames 400 and 600, labelled to the end.</summary>
    private static (Setup Setup, List<DiarizationEvent> Events) TwoWindowsLabelled()
    {
        var s = Make((300, false), (400, true), (300, false));
        s.Roster.Add([], 0);
        s.Roster.Add([], 0);
        s.Memory.Add(new LiveWindow(400, [1, 0], 0));
        s.Memory.Add(new LiveWindow(600, [0, 1], 1));
        var events = new List<DiarizationEvent>();
        s.Turns.Label(s.Frames.Speech.Committed, events, 10);
        s.Turns.Close(events);
        return (s, events);
    }

    [Fact]
    public void Each_speech_frame_takes_the_speaker_of_the_nearest_window_the_earlier_on_a_tie()
    {
        var (s, events) = TwoWindowsLabelled();

        var finals = Finals(events);
        Assert.Equal(2, finals.Count);
        Assert.Equal("S0", finals[0].Segment.Speaker);
        Assert.Equal("S1", finals[1].Segment.Speaker);
        // Frame 500 is as near one centre as the other: it goes to the earlier window.
        Assert.Equal(501 * Hop, finals[0].Segment.EndSeconds);
        Assert.Equal(501 * Hop, finals[1].Segment.StartSeconds);
        Assert.Equal(s.Frames.Received, s.Turns.Labelled);
        Assert.Equal(2, s.Turns.FinalSegments);
        Assert.Equal(finals.Sum(f => f.Segment.DurationSeconds), s.Turns.SpeechSeconds, 9);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_pause_between_two_confirmed_speakers_is_silence_and_otherwise_stays_with_the_first(bool confirmed)
    {
        var s = Make((300, false), (200, true), (50, false), (200, true), (300, false));
        s.Roster.Add([], 0);
        s.Roster.Add([], 0);
        if (confirmed)
        {
            s.Roster.BeginRecluster();
            s.Roster.BeginRecluster();
        }
        s.Memory.Add(new LiveWindow(400, [1, 0], 0));
        s.Memory.Add(new LiveWindow(650, [0, 1], 1));
        var events = new List<DiarizationEvent>();

        s.Turns.Label(s.Frames.Speech.Committed, events, 10);
        s.Turns.Close(events);

        // The speech before a pause leaves when the pause starts: a turn may come in more than one piece.
        var finals = Finals(events);
        Assert.Equal(["S0", "S1"], finals.Select(f => f.Segment.Speaker).Distinct());
        var lastOfFirst = finals.Last(f => f.Segment.Speaker == "S0").Segment;
        var firstOfSecond = finals.First(f => f.Segment.Speaker == "S1").Segment;
        double gap = firstOfSecond.StartSeconds - lastOfFirst.EndSeconds;
        if (confirmed)
        {
            Assert.InRange(gap, 0.4, 0.6);
        }
        else
        {
            Assert.Equal(0, gap, 9);
        }
    }

    [Fact]
    public void A_window_that_changes_speaker_relabels_its_turns_unless_a_merge_said_so()
    {
        var (s, events) = TwoWindowsLabelled();
        var second = Finals(events)[1].Segment;

        s.Memory.Windows[1].Speaker = 0;
        var relabels = new List<DiarizationEvent>();
        s.Turns.Relabel(new Dictionary<int, int>(), relabels, 11);
        Assert.Equal([new RelabelEvent(11, second.StartSeconds, second.EndSeconds, "S1", "S0")], relabels);

        // The runs now carry the new speaker: nothing more to announce, even after a merge back.
        relabels.Clear();
        s.Turns.Relabel(new Dictionary<int, int>(), relabels, 12);
        Assert.Empty(relabels);
        s.Memory.Windows[1].Speaker = 2;
        s.Turns.Relabel(new Dictionary<int, int> { [0] = 2 }, relabels, 13);
        Assert.Empty(relabels);
    }
}
