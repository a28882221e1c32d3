// The live diarizer of the segment representation: bounded memory, the same turns however the audio is chunked.
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Streaming;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Streaming;

public sealed class SegmentOnlineDiarizerTests
{
    [Fact]
    public void The_default_live_session_uses_segments()
    {
        Assert.IsType<SegmentOnlineDiarizer>(new DefaultSessionFactory().Create(new SessionOptions()).Diarizer);
    }

    [Fact]
    public void Memory_stays_bounded_in_a_long_session_and_it_ends_with_its_turns()
    {
        // Six minutes of twelve meetings back to back with room for 16 segments: old segments must be forgotten.
        var samples = new List<float>();
        foreach (var id in RepoPaths.AmiIds)
        {
            samples.AddRange(AudioLoader.LoadWav(RepoPaths.Ami(id + ".wav")).Samples);
        }
        var clip = new AudioClip("long", [.. samples], 16000);
        var online = new OnlineDiarizerOptions { MaxSegments = 16, ReclusterSeconds = 5 };
        var components = new DefaultSessionFactory(null, online).Create(new SessionOptions());
        var diarizer = (SegmentOnlineDiarizer)components.Diarizer;
        var run = LiveRun.Of(clip, components);

        Assert.True(diarizer.Reclusterings > 20, $"{diarizer.Reclusterings} re-clusterings");
        Assert.InRange(diarizer.RememberedSegments, 2, 16);
        Assert.NotEmpty(run.Segments);
        var ended = Assert.IsType<SessionEndedEvent>(run.Events[^1]);
        Assert.Equal(run.Segments.Select(s => s.Speaker).Distinct().Count(), ended.Speakers);
    }

    [Fact]
    public void Random_chunk_sizes_give_identical_events_on_a_real_conversation()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_2spk_3min.wav"));
        var reference = LiveRun.Of(clip, new SessionOptions(), 1600, 1600);
        var chunked = LiveRun.Of(clip, new SessionOptions(), 160, 16000, seed: 4);
        Assert.Equal(reference.Events, chunked.Events);
        Assert.Equal(2, reference.Segments.Select(s => s.Speaker).Distinct().Count());
    }

    [Fact]
    public void Final_turns_never_overlap_and_come_in_time_order()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_2spk_3min.wav"));
        var finals = LiveRun.Of(clip, new SessionOptions()).Events.OfType<SegmentEvent>().Where(e => e.IsFinal).Select(e => e.Segment).ToList();
        for (int i = 1; i < finals.Count; i++)
        {
            Assert.True(finals[i].StartSeconds >= finals[i - 1].EndSeconds - 1e-9, $"{finals[i - 1]} then {finals[i]}");
        }
    }
}
