// The live turn emitter's memory of final speakers, through Merge and Relabel, from a session's first frame.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public sealed class SegmentTurnEmitterTests
{
    [Fact]
    public void A_merge_before_the_remembered_span_has_filled_renames_what_was_said()
    {
        // 360 s remembered (36,000 frames of 10 ms); the merge comes after 3 s. It used to index the ring at
        // negative frames and throw, ending the live session: a remixed conversation of five male voices did that.
        var (emitter, events) = Said((0, 100, 0), (150, 300, 1));

        Assert.True(emitter.HoldsFinalSpeech(1, 150, 300));
        emitter.Merge(1, 0, 300, events);

        Assert.Contains(events, e => e is MergeEvent { From: "S1", Into: "S0" });
        Assert.False(emitter.HoldsFinalSpeech(1, 0, 300));
        Assert.True(emitter.HoldsFinalSpeech(0, 150, 300));
        Assert.False(emitter.HasSpeech(1));
    }

    [Fact]
    public void A_relabel_renames_only_the_old_speakers_frames_of_its_span()
    {
        var (emitter, events) = Said((0, 100, 0), (120, 200, 1), (220, 300, 0));

        emitter.Relabel(0, 300, 0, 2, 300, events);

        Assert.Contains(events, e => e is RelabelEvent { From: "S0", To: "S2", StartSeconds: 0, EndSeconds: 3 });
        Assert.False(emitter.HoldsFinalSpeech(0, 0, 300));
        Assert.True(emitter.HoldsFinalSpeech(2, 0, 100));
        Assert.True(emitter.HoldsFinalSpeech(2, 220, 300));
        Assert.True(emitter.HoldsFinalSpeech(1, 120, 200));
        Assert.False(emitter.HoldsFinalSpeech(2, 120, 200));
    }

    /// <summary>An emitter remembering 360 s of 10 ms frames, given turns (frames [start, end), speaker) with silence after each.</summary>
    private static (SegmentTurnEmitter Emitter, List<DiarizationEvent> Events) Said(params (long Start, long End, int Speaker)[] turns)
    {
        var emitter = new SegmentTurnEmitter(0.01, 1.0, rememberSeconds: 360);
        var events = new List<DiarizationEvent>();
        foreach (var (start, end, speaker) in turns)
        {
            emitter.Label(start, end, speaker, events);
            emitter.Gap(end, pause: false, events);
        }
        return (emitter, events);
    }
}
