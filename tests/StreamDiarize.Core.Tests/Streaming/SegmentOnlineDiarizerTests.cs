// The live diarizer of the segment representation: bounded memory, the same turns however the audio is chunked.
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speakers;
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
    public void Short_phrases_pooled_early_let_the_live_session_find_voices_sooner()
    {
        // dev_3spk_5min: three voices in quick exchanges from the first seconds; most of a new voice's early speech
        // comes in phrases under a second, which the re-clustering does not see unless they are pooled.
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_3spk_5min.wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev("dev_3spk_5min.rttm"))["dev_3spk_5min"];
        var (pooledDer, pooledThird) = DerAndThirdId(new OnlineDiarizerOptions());
        var (plainDer, plainThird) = DerAndThirdId(new OnlineDiarizerOptions { PoolShortUntilSeconds = 0 });

        Assert.True(pooledDer < plainDer - 2, $"pooled {pooledDer:F2} %, not pooled {plainDer:F2} %");
        Assert.True(pooledThird < plainThird, $"third id at {pooledThird} s pooled, {plainThird} s not");

        (double Der, double ThirdId) DerAndThirdId(OnlineDiarizerOptions online)
        {
            // On round 13's speech mask (Round13Stages): with round 14's caps both find the third voice at 100 s.
            var run = LiveRun.Of(clip, new DefaultSessionFactory(Round13Stages(), Round13(online)).Create(new SessionOptions { LatencySeconds = 1 }));
            var added = run.Events.OfType<SpeakerAddedEvent>().ToList();
            Assert.InRange(added.Count, 3, 5);
            return (100 * DerScorer.Score("dev_3spk_5min", reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }).Der, added[2].StreamTimeSeconds);
        }
    }

    [Fact]
    public void A_voice_that_splits_off_again_takes_back_its_dormant_id_instead_of_a_new_one()
    {
        // dev_6spk_20min: two minor male voices split from and merge back into the others through the session. An id
        // merged at once comes back as a new id, each time relabelling its evidence; a dormant id is taken back.
        // Relabels reach back without limit and only once per new id here (round 7's setting), so the comparison measures
        // the dormant ids alone; the horizon and the follow-up claims have their own tests below. Without round 19's
        // margin for a new id, which keeps some of these splits from becoming ids at all.
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_6spk_20min.wav"));
        var round7 = new OnlineDiarizerOptions { RelabelWithinSeconds = 0, NewSpeakerClaimReclusterings = 0, NewSpeakerApartFactor = 1 };
        var (dormantIds, dormantShare) = IdsAndRelabelled(round7);
        var (eagerIds, eagerShare) = IdsAndRelabelled(round7 with { MergeAfterReclusterings = 1 });

        Assert.InRange(dormantIds, 6, 8);
        Assert.True(dormantIds < eagerIds, $"{dormantIds} ids dormant, {eagerIds} merged at once");
        Assert.True(dormantShare < eagerShare - 2, $"{dormantShare:F1} % relabelled dormant, {eagerShare:F1} % merged at once");

        (int Ids, double Share) IdsAndRelabelled(OnlineDiarizerOptions online)
        {
            var run = LiveRun.Of(clip, new DefaultSessionFactory(null, online).Create(new SessionOptions { LatencySeconds = 1 }));
            var ledger = new SegmentLedger();
            run.Events.ForEach(ledger.Apply);
            return (run.Events.OfType<SpeakerAddedEvent>().Count(), 100 * ledger.FinalSecondsChanged / run.Segments.Sum(s => s.DurationSeconds));
        }
    }

    [Fact]
    public void Each_frame_follows_the_voice_within_the_look_ahead_without_changing_any_event_of_the_clustering()
    {
        // dev_2spk_10min (two women): a segment's frames used to carry the segment's speaker even where the other voice
        // had taken over with no pause; the fixed-lag Viterbi pass moves the change to where the voice changes
        // (docs/ACCURACY.md, round 10: 2.18 -> 1.57 %).
        const string id = "dev_2spk_10min";
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
        var (framesDer, framesEvents) = Run(new OnlineDiarizerOptions());
        var (segmentsDer, segmentsEvents) = Run(new OnlineDiarizerOptions { FrameChangePenalty = 0 });

        Assert.Equal(100, new OnlineDiarizerOptions().FrameChangePenalty);
        Assert.True(framesDer < segmentsDer - 0.3, $"live {framesDer:F2} % with frame decisions, {segmentsDer:F2} % without");
        // The clustering, ids and rewrites are the segments' business: the same events, at the same moments.
        Assert.NotEmpty(framesEvents);
        Assert.Equal(segmentsEvents, framesEvents);

        (double Der, List<string> Events) Run(OnlineDiarizerOptions online)
        {
            var run = LiveRun.Of(clip, new DefaultSessionFactory(null, online).Create(new SessionOptions { LatencySeconds = 1 }));
            double der = 100 * DerScorer.Score(id, reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }).Der;
            return (der, run.Events.Where(e => e is RelabelEvent or MergeEvent or SpeakerAddedEvent).Select(e => e.ToString()!).ToList());
        }
    }

    [Fact]
    public void A_moved_segment_takes_the_short_pieces_of_its_run_with_it()
    {
        // dev_3spk_5min: LS1688 speaks first, before it has an id; when its id is made, its remembered segments move to it,
        // and the short pooled pieces and bridged pauses between them (same run, given the same old id) used to stay
        // behind, striping its turns (docs/ACCURACY.md, round 10).
        const string id = "dev_3spk_5min";
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
        var (runsDer, runsRelabels, runsMoved) = Run(new OnlineDiarizerOptions());
        var (segmentsDer, segmentsRelabels, segmentsMoved) = Run(new OnlineDiarizerOptions { RelabelWholeRuns = false });

        Assert.True(new OnlineDiarizerOptions().RelabelWholeRuns);
        // The same segments move at the same moments: each range without whole runs lies inside one with them.
        Assert.All(segmentsRelabels, b => Assert.Contains(runsRelabels, a => a.StreamTimeSeconds == b.StreamTimeSeconds
            && a.From == b.From && a.To == b.To && a.StartSeconds <= b.StartSeconds && a.EndSeconds >= b.EndSeconds));
        // Ranges that touch are announced as one Relabel, so there are fewer events for the same change, never two that touch.
        Assert.True(runsRelabels.Count < segmentsRelabels.Count, $"{runsRelabels.Count} Relabel events with whole runs, {segmentsRelabels.Count} without");
        Assert.DoesNotContain(runsRelabels.Zip(runsRelabels.Skip(1)), p => p.First.StreamTimeSeconds == p.Second.StreamTimeSeconds
            && p.First.From == p.Second.From && p.First.To == p.Second.To && p.Second.StartSeconds <= p.First.EndSeconds);
        Assert.True(runsMoved > segmentsMoved, $"{runsMoved:F1} s moved with whole runs, {segmentsMoved:F1} s without");
        Assert.True(runsDer < segmentsDer - 1, $"live {runsDer:F2} % with whole runs, {segmentsDer:F2} % without");

        (double Der, List<RelabelEvent> Relabels, double Moved) Run(OnlineDiarizerOptions online)
        {
            // On round 13's speech mask (Round13Stages): with round 14's caps the two sessions' clusterings part at 140 s.
            var run = LiveRun.Of(clip, new DefaultSessionFactory(Round13Stages(), Round13(online)).Create(new SessionOptions { LatencySeconds = 1 }));
            var ledger = new SegmentLedger();
            run.Events.ForEach(ledger.Apply);
            double der = 100 * DerScorer.Score(id, reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }).Der;
            return (der, run.Events.OfType<RelabelEvent>().ToList(), ledger.FinalSecondsChanged);
        }
    }

    [Fact]
    public void A_new_voice_also_claims_the_rest_of_its_turns_that_the_clustering_left_behind()
    {
        // dev_3spk_5min: LS1688's turns were cut into remembered segments (2.5 s at most); when its id was made, the
        // clustering had put some of the pieces beside a claimed one with the old id, so a turn ended under LJ's id
        // (12.4-16.4 s: 2.4 s moved, 1.6 s left). A touching piece of the same run and old id now goes too unless the
        // new voice explains it more than 30 nats worse than its own cluster does (docs/ACCURACY.md, round 11).
        const string id = "dev_3spk_5min";
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
        var (withDer, withEvents) = Run(new OnlineDiarizerOptions());
        var (withoutDer, withoutEvents) = Run(new OnlineDiarizerOptions { RelabelTouchingPenalty = 0 });

        Assert.Equal(30, new OnlineDiarizerOptions().RelabelTouchingPenalty);
        // The same voices are made at the same moments, and every range moved before is moved now, or a wider one.
        Assert.Equal(withoutEvents.OfType<SpeakerAddedEvent>().Select(e => (e.StreamTimeSeconds, e.Speaker)),
            withEvents.OfType<SpeakerAddedEvent>().Select(e => (e.StreamTimeSeconds, e.Speaker)));
        var withRelabels = withEvents.OfType<RelabelEvent>().ToList();
        Assert.All(withoutEvents.OfType<RelabelEvent>(), b => Assert.Contains(withRelabels, a => a.StreamTimeSeconds == b.StreamTimeSeconds
            && a.From == b.From && a.To == b.To && a.StartSeconds <= b.StartSeconds && a.EndSeconds >= b.EndSeconds));
        Assert.True(withRelabels.Count <= withoutEvents.OfType<RelabelEvent>().Count(), "more Relabel events than without");
        Assert.True(withDer < withoutDer - 0.5, $"live {withDer:F2} % claiming touching pieces, {withoutDer:F2} % without");

        (double Der, List<DiarizationEvent> Events) Run(OnlineDiarizerOptions online)
        {
            // On round 13's speech mask (Round13Stages): with round 14's caps the two sessions' clusterings part at 140 s.
            var run = LiveRun.Of(clip, new DefaultSessionFactory(Round13Stages(), Round13(online)).Create(new SessionOptions { LatencySeconds = 1 }));
            return (100 * DerScorer.Score(id, reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }).Der, run.Events);
        }
    }

    [Fact]
    public void A_claims_ranges_of_one_old_id_with_none_of_its_speech_between_them_are_one_Relabel_with_the_same_result()
    {
        // dev_4spk_10min: a voice found late claims turns of its own with other voices' turns between them; a Relabel moves
        // only its old id's speech, so ranges with none of the old id's final speech between them are one event.
        const string id = "dev_4spk_10min";
        // Segments filed under their segment decision (round 12's filing): filed under their frames' id (round 17), each
        // later segment is filed by the frames every Relabel rewrote, so the two sessions part after the first claim
        // (coalesced 2.32 %, apart 2.39 %; docs/ACCURACY.md, round 17).
        var coalesced = LiveSession.Of(id, new OnlineDiarizerOptions { RememberFrameLabels = false });
        var separate = LiveSession.Of(id, new OnlineDiarizerOptions { CoalesceRelabels = false, RememberFrameLabels = false });

        Assert.True(new OnlineDiarizerOptions().CoalesceRelabels);
        // The same final labels, frame for frame, and the same speech rewritten, by fewer events.
        Assert.Equal(separate.Timeline(), coalesced.Timeline());
        Assert.Equal(separate.Moved, coalesced.Moved, 6);
        Assert.True(coalesced.Relabels.Count < separate.Relabels.Count, $"{coalesced.Relabels.Count} Relabel events coalesced, {separate.Relabels.Count} not");
        // Each coalesced event covers the ranges announced apart at the same moment, between the same ids.
        Assert.All(separate.Relabels, b => Assert.Contains(coalesced.Relabels, a => a.StreamTimeSeconds == b.StreamTimeSeconds
            && a.From == b.From && a.To == b.To && a.StartSeconds <= b.StartSeconds && a.EndSeconds >= b.EndSeconds));
    }

    [Fact]
    public void A_run_start_is_a_cheaper_change_of_speaker_than_a_change_inside_a_run()
    {
        // dev_6spk_20min: a phrase's first frame started from its segment's short decision and paid a full change (100
        // nats) to leave it, so a turn's next phrase often began under another id and the pause before it became silence
        // (a pause is kept only when the same speaker goes on). Leaving the start now costs 60 nats: 6.81 -> 6.32 %
        // (docs/ACCURACY.md, round 12). With known speakers a run's start stays a full change (a voice without an id took
        // a named voice's frames more often), so such a session decides as before.
        // (Round 13's start across bridged pauses is off on both sides here: this is the penalty alone.)
        const string id = "dev_6spk_20min";
        // Measured on round 13's speech mask (Round13Stages).
        var now = LiveSession.Of(id, Round13(new OnlineDiarizerOptions { FrameRunStartAcrossPauses = false }), Round13Stages());
        var before = LiveSession.Of(id, Round13(new OnlineDiarizerOptions { FrameRunStartPenalty = 100, FrameRunStartAcrossPauses = false }), Round13Stages());

        Assert.Equal(60, new OnlineDiarizerOptions().FrameRunStartPenalty);
        // The clustering and its events do not depend on the frame decisions: the same voices at the same moments.
        Assert.Equal(before.Added, now.Added);
        Assert.True(now.Der.MissSeconds < before.Der.MissSeconds - 2, $"missed {now.Der.MissSeconds:F1} s, {before.Der.MissSeconds:F1} s with a full change at a run's start");
        Assert.True(now.Der.Der < before.Der.Der - 0.003, $"live {100 * now.Der.Der:F2} %, {100 * before.Der.Der:F2} % with a full change at a run's start");
    }

    [Fact]
    public void A_run_after_a_bridged_pause_starts_from_the_speaker_before_it()
    {
        // dev_6spk_20min: a phrase that follows the previous one across a bridged pause only (no silence) started from its
        // own segment's short decision; the turn's speaker is the likelier start. Starting there (leaving it still costs
        // the run-start penalty) takes the file from 6.32 to 5.42 % live, and real-dev from 4.36 to 4.06 %
        // (docs/ACCURACY.md, round 13). Sessions with known speakers keep their segment's decision at a run's start.
        const string id = "dev_6spk_20min";
        // Measured on round 13's speech mask (Round13Stages); with round 14's caps it misses 3.8 s less instead of 5.
        var now = LiveSession.Of(id, Round13(new OnlineDiarizerOptions()), Round13Stages());
        var before = LiveSession.Of(id, Round13(new OnlineDiarizerOptions { FrameRunStartAcrossPauses = false }), Round13Stages());

        Assert.True(new OnlineDiarizerOptions().FrameRunStartAcrossPauses);
        Assert.Equal(before.Added, now.Added);
        Assert.True(now.Der.MissSeconds < before.Der.MissSeconds - 5, $"missed {now.Der.MissSeconds:F1} s, {before.Der.MissSeconds:F1} s starting from the segment's decision");
        Assert.True(now.Der.Der < before.Der.Der - 0.005, $"live {100 * now.Der.Der:F2} %, {100 * before.Der.Der:F2} % starting from the segment's decision");
    }

    [Fact]
    public void A_new_voice_leaves_a_segment_that_still_sounds_more_like_its_own_id()
    {
        // dev_4spk_10min: when a late voice's id is made, the re-clustering has put a few segments of other voices in its
        // cluster; claiming them moved right labels to the new id. A segment now moves only if the new voice's Gaussian
        // (without it) explains it at most 10 nats worse than the cluster of the id it was given (docs/ACCURACY.md, round 12).
        const string id = "dev_4spk_10min";
        // Measured on round 13's speech mask (Round13Stages, Round13); with round 14's caps both make 7 events, with round
        // 15's warm-up 8.
        var with = LiveSession.Of(id, Round13(new OnlineDiarizerOptions()), Round13Stages());
        var without = LiveSession.Of(id, Round13(new OnlineDiarizerOptions { RelabelClaimMargin = 0 }), Round13Stages());

        Assert.Equal(10, new OnlineDiarizerOptions().RelabelClaimMargin);
        // The same voices are made at the same moments; less speech is rewritten, by fewer events, and the result is better.
        Assert.Equal(without.Added, with.Added);
        Assert.True(with.Rewrites < without.Rewrites, $"{with.Rewrites} Relabel and Merge events with the check, {without.Rewrites} without");
        Assert.True(with.Moved < without.Moved, $"{with.Moved:F1} s relabelled with the check, {without.Moved:F1} s without");
        Assert.True(with.Der.Der < without.Der.Der - 0.001, $"live {100 * with.Der.Der:F2} % with the check, {100 * without.Der.Der:F2} % without");
    }

    [Fact]
    public void A_new_voice_relabels_only_the_last_five_minutes_and_rewrites_less_of_a_long_session()
    {
        // dev_6spk_20min: minor voices found late move evidence from minutes ago back and forth between them; the
        // horizon keeps speech older than 300 s as it was given. Compared on round 14's warm-up: with round 15's (a history with
        // enough voiced frames trusted before the detector's history is full) no relabel on this file reaches back 300 s, and
        // both sessions make the same 14 events.
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_6spk_20min.wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev("dev_6spk_20min.rttm"))["dev_6spk_20min"];
        Rewrites(new OnlineDiarizerOptions(), pin: true);
        // Without the end-of-stream correction (round 17), which reaches back as far as memory does by design.
        var (horizonEvents, horizonShare, horizonRelabels) = Rewrites(new OnlineDiarizerOptions { SpeechTrustVoicedShare = 0, FinalRelabel = false, RememberFrameLabels = false });
        var (allEvents, allShare, _) = Rewrites(new OnlineDiarizerOptions { RelabelWithinSeconds = 0, SpeechTrustVoicedShare = 0, FinalRelabel = false, RememberFrameLabels = false });

        Assert.Equal(300, new OnlineDiarizerOptions().RelabelWithinSeconds);
        Assert.NotEmpty(horizonRelabels);
        Assert.All(horizonRelabels, r => Assert.True(r.EndSeconds > r.StreamTimeSeconds - 300, $"{r} reaches back further than 300 s"));
        Assert.True(horizonEvents < allEvents, $"{horizonEvents} rewrites with the horizon, {allEvents} without");
        Assert.True(horizonShare < allShare, $"{horizonShare:F1} % relabelled with the horizon, {allShare:F1} % without");

        (int Events, double Share, List<RelabelEvent> Relabels) Rewrites(OnlineDiarizerOptions online, bool pin = false)
        {
            var run = LiveRun.Of(clip, new DefaultSessionFactory(null, online).Create(new SessionOptions { LatencySeconds = 1 }));
            if (pin)
            {
                // The defaults on this file (docs/ACCURACY.md, round 19): 3.11 %, 6 ids for 6 voices, 23 Relabel and Merge
                // events, 21 of them in the 18 minutes after the first 2 (1.17 a minute). The bound is 1: round 17
                // met it (0.94); round 19's margin for a new id gives two of this file's voices their ids 40 and 80 s
                // later, which costs 4 events here and saves them on conversations of new voices (15 -> 10 of 54 over the
                // bound). Pinned at the recorded figure, so a change that adds events here is seen.
                double der = 100 * DerScorer.Score("dev_6spk_20min", reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }).Der;
                Assert.True(der <= 3.11 + 2, $"live {der:F2} % (recorded 3.11 %)");
                Assert.InRange(run.Events.OfType<SpeakerAddedEvent>().Count(), 6, 8);
                double minutesAfterTwo = (clip.Samples.Length / (double)clip.SampleRateHz - 120) / 60;
                int late = run.Events.Count(e => e is RelabelEvent or MergeEvent && e.StreamTimeSeconds > 120);
                Assert.True(late <= 21, $"{late} Relabel and Merge events in the {minutesAfterTwo:F1} minutes after the first 2 (recorded 21)");
            }
            var ledger = new SegmentLedger();
            run.Events.ForEach(ledger.Apply);
            var relabels = run.Events.OfType<RelabelEvent>().ToList();
            return (relabels.Count + run.Events.OfType<MergeEvent>().Count(), 100 * ledger.FinalSecondsChanged / run.Segments.Sum(s => s.DurationSeconds), relabels);
        }
    }

    [Fact]
    public void A_new_voice_claims_its_evidence_again_for_three_reclusterings_and_the_twenty_minute_conversation_gains()
    {
        // dev_6spk_20min: a voice found late has little of its speech in its cluster when its id is made; a re-clustering
        // or two later its cluster holds more of its earlier segments, which then move to it. Measured with short phrases
        // pooled for the first 120 s of speech only (round 8's setting), where more of a late voice's early speech stays
        // with other ids: 14.14 -> 13.06 %. With pooling all session long the file gains less (9.71 -> 9.66 %); the
        // derived sets still gain (docs/ACCURACY.md).
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev("dev_6spk_20min.wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev("dev_6spk_20min.rttm"))["dev_6spk_20min"];
        var pooledEarly = new OnlineDiarizerOptions { PoolShortUntilSeconds = 120 };
        // On round 13's speech mask (Round13Stages), as the pooling above is round 8's.
        var claiming = LiveRun.Of(clip, new DefaultSessionFactory(Round13Stages(), Round13(pooledEarly)).Create(new SessionOptions { LatencySeconds = 1 }));
        var once = LiveRun.Of(clip, new DefaultSessionFactory(Round13Stages(), Round13(pooledEarly with { NewSpeakerClaimReclusterings = 0 })).Create(new SessionOptions { LatencySeconds = 1 }));
        double Der(LiveRun run) => 100 * DerScorer.Score("dev_6spk_20min", reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }).Der;

        var options = new OnlineDiarizerOptions();
        Assert.Equal(3, options.NewSpeakerClaimReclusterings);
        Assert.True(Der(claiming) < Der(once) - 0.5, $"{Der(claiming):F2} % claiming for 3 re-clusterings, {Der(once):F2} % relabelling once");
        // Every Relabel goes to an id made at most three re-clusterings (60 s of audio) before it.
        var made = claiming.Events.OfType<SpeakerAddedEvent>().ToDictionary(e => e.Speaker, e => e.StreamTimeSeconds);
        var relabels = claiming.Events.OfType<RelabelEvent>().ToList();
        Assert.NotEmpty(relabels);
        Assert.All(relabels, r => Assert.InRange(r.StreamTimeSeconds - made[r.To], 0, options.NewSpeakerClaimReclusterings * options.ReclusterSeconds + 1));
        Assert.True(relabels.Count > once.Events.OfType<RelabelEvent>().Count(), "claiming moved nothing more");
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

    [Fact]
    public void A_session_with_known_speakers_keeps_the_long_conversation_merge_weight_from_the_start()
    {
        // Round 16 (docs/SPEAKERS.md): the lighter ΔBIC weight on little speech named 0.7 % of an unenrolled voice's
        // speech live (Bench.Speakers --live); sessions with known speakers keep 3 throughout, the others get the schedule.
        var stages = new DefaultDiarizerOptions();
        var profile = new VoiceProfile("Linda", "features", new GaussianVoiceModel(new GaussianStats(stages.Segments.Coefficients)), 30, 1, DateTimeOffset.UnixEpoch);
        var plain = new SegmentOnlineDiarizer(stages, new OnlineDiarizerOptions(), new SessionOptions { LatencySeconds = 1 });
        var named = new SegmentOnlineDiarizer(stages, new OnlineDiarizerOptions(), new SessionOptions { LatencySeconds = 1, KnownSpeakers = [profile] });

        Assert.Equal(2, plain.ClusteringOptions.MergeLambdaFor(30));
        Assert.Equal(3, named.ClusteringOptions.MergeLambdaFor(30));
        Assert.Equal(3, named.ClusteringOptions.MergeLambdaFor(600));
    }

    /// <summary>
    /// The stages as they were until round 13: the speech detector without round 14's threshold caps, and the clustering
    /// without round 16's short ΔBIC weight (3 throughout, which makes a new voice wait longer for its id). Tests of an
    /// earlier round's live mechanism measure it on the mask and the clustering it was measured on; the caps' and the
    /// short weight's own tests are in RealVoiceAccuracyTests, the live figures with them there and below.
    /// </summary>
    private static DefaultDiarizerOptions Round13Stages()
    {
        var stages = new DefaultDiarizerOptions();
        return stages with
        {
            Speech = stages.Speech with { HighCapBelowPeakDb = 0, LowCapBelowPeakDb = 0 },
            Segments = stages.Segments with { ShortMergeLambda = 0 },
        };
    }

    /// <summary>
    /// The live options of round 13's mask: without round 15's trusted warm-up range (a history with enough voiced frames
    /// trusted before the detector's history is full), which changes the first minute's mask; with it, the claim margin's and
    /// the horizon's sessions below make the same events (docs/ACCURACY.md, round 15). Nor with round 17's end-of-stream
    /// correction, whose relabels these mechanisms' tests would count as theirs, nor its filing of segments under their
    /// frames' id, nor round 19's margin for a new id (which makes dev_6spk_20min's late voices later, the claims under
    /// test on different evidence), nor round 20's weight for a late voice (under round 13's mask dev_3spk_5min's
    /// sessions with and without the mechanism under test then part at 120 s, where these tests compare them).
    /// </summary>
    private static OnlineDiarizerOptions Round13(OnlineDiarizerOptions online) =>
        online with { SpeechTrustVoicedShare = 0, FinalRelabel = false, RememberFrameLabels = false, NewSpeakerApartFactor = 1, NewVoiceMergeLambda = 0 };

    /// <summary>One live session of a real-dev conversation at 1 s latency, its events applied to a ledger and scored.</summary>
    private sealed record LiveSession(AudioClip Clip, DerResult Der, List<DiarizationEvent> Events, SegmentLedger Ledger)
    {
        public static LiveSession Of(string id, OnlineDiarizerOptions online, DefaultDiarizerOptions? stages = null)
        {
            var clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
            var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
            var run = LiveRun.Of(clip, new DefaultSessionFactory(stages, online).Create(new SessionOptions { LatencySeconds = 1 }));
            var ledger = new SegmentLedger();
            run.Events.ForEach(ledger.Apply);
            return new LiveSession(clip, DerScorer.Score(id, reference, run.Segments, new DerOptions { CollarSeconds = 0.25 }), run.Events, ledger);
        }

        public List<(double, string)> Added => Events.OfType<SpeakerAddedEvent>().Select(e => (e.StreamTimeSeconds, e.Speaker)).ToList();

        public List<RelabelEvent> Relabels => Events.OfType<RelabelEvent>().ToList();

        public int Rewrites => Events.Count(e => e is RelabelEvent or MergeEvent);

        /// <summary>Seconds of final speech relabelled after it was final.</summary>
        public double Moved => Ledger.FinalSecondsChanged;

        /// <summary>The final speaker of every 10 ms frame (null: no speech).</summary>
        public string?[] Timeline()
        {
            var timeline = new string?[(int)(Clip.DurationSeconds * 100) + 1];
            foreach (var s in Ledger.Snapshot(includeProvisional: false))
            {
                for (int f = (int)Math.Round(s.StartSeconds * 100); f < Math.Min(timeline.Length, (int)Math.Round(s.EndSeconds * 100)); f++)
                {
                    timeline[f] = s.Speaker;
                }
            }
            return timeline;
        }
    }
}
