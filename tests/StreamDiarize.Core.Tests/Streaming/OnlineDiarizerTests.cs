// The live diarizer on real meetings: chunking never changes the result, accuracy stays near the offline path,
// events are well formed, and a long session's re-clustering stays bounded.
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Streaming;

public sealed class OnlineDiarizerTests
{
    [Theory]
    [InlineData("dev00")]
    [InlineData("trn07")]
    public void Random_chunk_sizes_from_10_to_500_ms_give_identical_final_segments(string id)
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami(id + ".wav"));
        var reference = LiveRun.Of(clip, new SessionOptions(), 160, 160);
        Assert.NotEmpty(reference.Segments);
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var run = LiveRun.Of(clip, new SessionOptions(), 160, 8000, seed);
            Assert.Equal(reference.Segments, run.Segments);
        }
    }

    [Fact]
    public void Streaming_der_on_the_twelve_clips_is_within_three_points_of_offline()
    {
        var offline = new DefaultDiarizer();
        var streamed = new List<DerResult>();
        var batch = new List<DerResult>();
        var options = new DerOptions { CollarSeconds = 0.25 };
        foreach (var id in RepoPaths.AmiIds)
        {
            var clip = AudioLoader.LoadWav(RepoPaths.Ami(id + ".wav"));
            var reference = Rttm.ReadFile(RepoPaths.Ami(id + ".rttm"))[id];
            var live = LiveRun.Of(clip, new SessionOptions());
            streamed.Add(DerScorer.Score(id, reference, live.Segments, options));
            batch.Add(DerScorer.Score(id, reference, offline.Diarize(clip).Segments, options));
        }
        double s = DerTotal.Of(streamed).Der, o = DerTotal.Of(batch).Der;
        Assert.True(Math.Abs(s - o) <= 0.03, $"streaming {s:P2} vs offline {o:P2}");
    }

    [Fact]
    public void Events_are_well_formed_and_end_with_the_session_totals()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev01.wav"));
        var events = LiveRun.Of(clip, new SessionOptions());
        var result = events;

        var ended = Assert.IsType<SessionEndedEvent>(events.Events[^1]);
        Assert.Equal(clip.DurationSeconds, ended.StreamTimeSeconds, 1);
        Assert.True(ended.Speakers >= 1);
        Assert.Equal(result.Segments.Sum(x => x.DurationSeconds), ended.SpeechSeconds, 1);
        // Every speaker named in a turn was announced first.
        var added = new HashSet<string>();
        foreach (var e in events.Events)
        {
            if (e is SpeakerAddedEvent a)
            {
                added.Add(a.Speaker);
            }
            if (e is SegmentEvent seg)
            {
                Assert.Contains(seg.Segment.Speaker, added);
            }
        }
        // Final turns are in time order, never overlap, and live inside the audio.
        var finals = events.Events.OfType<SegmentEvent>().Where(x => x.IsFinal).Select(x => x.Segment).ToList();
        for (int i = 1; i < finals.Count; i++)
        {
            Assert.True(finals[i].StartSeconds >= finals[i - 1].EndSeconds - 1e-9);
        }
        Assert.All(finals, f => Assert.InRange(f.EndSeconds, f.StartSeconds, clip.DurationSeconds + 1e-9));
        // Speaker changes alternate sensibly: each one starts from where the previous one went.
        string? current = null;
        foreach (var change in events.Events.OfType<SpeakerChangeEvent>())
        {
            Assert.Equal(current, change.From);
            current = change.To;
        }
        Assert.Null(current);
    }

    [Fact]
    public void Every_final_piece_arrives_within_the_latency_of_its_end()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("trn05.wav"));
        var stages = new DefaultDiarizerOptions();
        var analyzer = new DefaultFrameAnalyzer(stages);
        var diarizer = new OnlineDiarizer(stages, new OnlineDiarizerOptions(), new SessionOptions { LatencySeconds = 1 });
        var sink = new LagSink(diarizer);
        analyzer.Push(clip.Samples, sink);
        analyzer.Flush(sink);
        Assert.True(sink.Pieces > 10);
        // Past the warm-up, a piece leaves as soon as its frames are committed: the latency plus one 50 ms decision step.
        Assert.InRange(sink.WorstLagSeconds, 0, 1 + 0.05 + 1e-9);
    }

    private sealed class LagSink(OnlineDiarizer diarizer) : Core.Features.IFrameSink
    {
        private readonly List<DiarizationEvent> _events = [];

        public double WorstLagSeconds { get; private set; }

        public int Pieces { get; private set; }

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
        {
            diarizer.OnFrame(frameIndex, features, _events);
            double now = (frameIndex + 1) * 0.01;
            foreach (var e in _events)
            {
                if (e is SegmentEvent { IsFinal: true } f && f.Segment.StartSeconds > 2.5)
                {
                    Pieces++;
                    WorstLagSeconds = Math.Max(WorstLagSeconds, now - f.Segment.EndSeconds);
                }
            }
            _events.Clear();
        }
    }

    [Fact]
    public void An_exact_speaker_hint_is_honoured()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        var result = LiveRun.Of(clip, new SessionOptions { ExactSpeakers = 2 });
        Assert.Equal(2, result.Segments.Select(s => s.Speaker).Distinct().Count());
    }

    [Fact]
    public void Re_clustering_stays_bounded_in_a_long_session_and_labels_stay_stable()
    {
        // Six minutes: the twelve clips back to back, so old windows must be folded into pre-clusters.
        var samples = new List<float>();
        foreach (var id in RepoPaths.AmiIds)
        {
            samples.AddRange(AudioLoader.LoadWav(RepoPaths.Ami(id + ".wav")).Samples);
        }
        var clip = new AudioClip("long", [.. samples], 16000);
        var online = new OnlineDiarizerOptions { MaxActiveWindows = 100, MaxPreClusters = 20 };
        var windows = new DefaultDiarizerOptions { Representation = SpeakerRepresentation.Windows };
        var components = new DefaultSessionFactory(windows, online).Create(new SessionOptions());
        var diarizer = (OnlineDiarizer)components.Diarizer;
        var events = LiveRun.Of(clip, components);

        Assert.True(diarizer.Reclusterings > 10);
        Assert.InRange(diarizer.LastReclusterSize, 1, 100 + 20);
        var ledger = new SegmentLedger();
        foreach (var e in events.Events)
        {
            ledger.Apply(e);
        }
        Assert.NotEmpty(ledger.Final);
        Assert.IsType<SessionEndedEvent>(events.Events[^1]);
    }
}
