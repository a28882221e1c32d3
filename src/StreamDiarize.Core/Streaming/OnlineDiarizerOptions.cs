// The schedule and bounds of a live session; its stages (speech, embedding, clustering) are the offline default's.
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Streaming;

public sealed record OnlineDiarizerOptions
{
    /// <summary>The noise floor and speech peak are percentiles over this much recent audio.</summary>
    public double SpeechHistorySeconds { get; init; } = 60;

    /// <summary>No speech decision is committed before this much audio has set the noise floor (except at the end).</summary>
    public double SpeechWarmupSeconds { get; init; } = 2;

    /// <summary>
    /// Until <see cref="SpeechHistorySeconds"/> of audio has been heard, speech is assumed to span at least this range
    /// above the noise floor, so a session that has heard only background does not take it for speech, unless the history
    /// holds enough voiced frames (<see cref="SpeechTrustVoicedShare"/>). 40 dB is below the range of every speech clip
    /// measured (33-51 dB on the AMI clips, docs/ACCURACY.md).
    /// </summary>
    public double SpeechMinRangeDb { get; init; } = 40;

    /// <summary>
    /// Before <see cref="SpeechHistorySeconds"/> of audio has been heard, a history of at least
    /// <see cref="SpeechTrustAfterSeconds"/> in which at least this share of the frames is voiced is taken to hold speech:
    /// its own floor-to-peak range is trusted instead of <see cref="SpeechMinRangeDb"/>, and the caps below the peak
    /// apply. In a reverberant room speech spans 20-25 dB above a floor its tails raise, and the assumed range put the
    /// seed threshold above the speech peak: the first minute went unheard. Background alone was at most 30 % voiced on
    /// the AMI clips (docs/ACCURACY.md, round 15). 0: the assumed range until the history is full.
    /// </summary>
    public double SpeechTrustVoicedShare { get; init; } = 0.4;

    /// <summary>The least history (seconds) <see cref="SpeechTrustVoicedShare"/> judges.</summary>
    public double SpeechTrustAfterSeconds { get; init; } = 10;

    /// <summary>Windows kept one by one for re-clustering; older ones are folded into pre-clusters.</summary>
    public int MaxActiveWindows { get; init; } = 300;

    /// <summary>Pre-clusters (summaries of old windows) kept for re-clustering.</summary>
    public int MaxPreClusters { get; init; } = 100;

    /// <summary>Old windows folded together into one pre-cluster (consecutive windows of one speaker).</summary>
    public int WindowsPerPreCluster { get; init; } = 8;

    /// <summary>Final turns older than this can no longer be relabelled; their details are dropped, bounding memory.</summary>
    public double RelabelHorizonSeconds { get; init; } = 1800;

    /// <summary>
    /// A new window further than this (cosine distance) from every speaker's centroid starts a new speaker at once. High,
    /// so that only a clearly different voice gets a new id before re-clustering has the evidence (1.6 gave 5 speakers
    /// added and 40 merges an hour on looped AMI audio, against 35 and 330 at 1.0; docs/BENCHMARKS.md).
    /// </summary>
    public double NewSpeakerDistance { get; init; } = 1.6;

    /// <summary>
    /// No re-clustering (so no second speaker from clustering) before this many windows of speech: a handful of
    /// windows cannot support a split, and an early split is what later relabels undo.
    /// </summary>
    public int FirstReclusterWindows { get; init; } = 40;

    /// <summary>
    /// At a re-clustering, a window or pre-cluster changes speaker only if its new cluster's centroid is nearer than its
    /// old speaker's by at least this (cosine distance), so boundary points do not flip back and forth.
    /// </summary>
    public double RelabelMargin { get; init; } = 0.1;

    /// <summary>Re-cluster after at least this many new windows ...</summary>
    public int ReclusterMinNewWindows { get; init; } = 4;

    /// <summary>... once the windows have grown by this fraction since the last re-clustering ...</summary>
    public double ReclusterGrowthFraction { get; init; } = 0.25;

    /// <summary>... and at the latest after this many new windows (10 s of speech at the default hop).</summary>
    public int ReclusterMaxNewWindows { get; init; } = 40;

    /// <summary>An ongoing final turn is reported in pieces at least this often; the ledger joins them.</summary>
    public double FinalPieceSeconds { get; init; } = 0.5;

    /// <summary>
    /// Split clusters recursively at each re-clustering, as the offline default does (<see cref="Pipeline.DefaultDiarizerOptions.Split"/>).
    /// On meetings of several voices it is what finds them (a 60-minute meeting of 4 TTS voices: 0.32 % DER against
    /// 54.21 % without); on hours of far-field audio with many similar voices, splits can come and go between
    /// re-clusterings and relabel past turns (docs/BENCHMARKS.md). false keeps the live clustering unsplit.
    /// </summary>
    public bool RecursiveSplitting { get; init; } = true;

    /// <summary>Segment representation: phrase segments remembered (with their pairwise distances) for re-clustering.</summary>
    public int MaxSegments { get; init; } = 800;

    /// <summary>
    /// Segment representation: a cluster no id claims becomes a new speaker once it holds this much speech. On real-dev
    /// 2 and 3 s give the same ids; 5 s found dev_3spk_5min's third voice 20 s later (docs/ACCURACY.md).
    /// </summary>
    public double NewSpeakerSeconds { get; init; } = 3;

    /// <summary>
    /// Segment representation: once the session holds <see cref="NewSpeakerApartAfterSeconds"/> of clustered speech, a
    /// cluster no id claims becomes a new speaker only if ΔBIC, at this factor times the clustering's weight, keeps it
    /// apart from every claimed cluster; otherwise its speech stays with the speaker that holds most of it, as a cluster
    /// under <see cref="NewSpeakerSeconds"/> does. 1 is the clustering's own test (no extra margin). On conversations of
    /// voices never heard in development (real-dev's voices resampled, research/round4/remix.py REMIX_WARP) late
    /// re-clusterings made ids of a few seconds of mixed or split speech; at 1.1 after 60 s: live 4.64 -> 4.58, 6.86 ->
    /// 6.43, 7.62 -> 6.60 %, and on two draws made after the choice 4.52 -> 4.34 and 5.72 -> 5.61 %, with fewer ids and
    /// Relabel events; real-dev 3.04 -> 3.03 %, but dev_6spk_20min gets two real voices 40-80 s later (docs/ACCURACY.md,
    /// round 19).
    /// </summary>
    public double NewSpeakerApartFactor { get; init; } = 1.1;

    /// <summary>
    /// Segment representation: the ΔBIC weight at which a re-clustering judges a voice that joined lately: a group of
    /// speech that all began within the last <see cref="NewVoiceWindowSeconds"/>, while it holds less than
    /// <see cref="NewVoiceMaxSeconds"/>, against a group of at least that much that spoke at least as much as it since it
    /// began (a group that fell silent when it began may be the same voice sounding different). 0 (or a weight at or above
    /// the clustering's) keeps the clustering's weight everywhere. Pure speech of a new voice stands apart from the voices
    /// already heard at a weight of about 1.75 after 5 s, while the clustering needs 2-3 for its mixed and split groups;
    /// at 2 within 60 s: live on new voices 4.58 -> 4.43 % (warp), halves 5.84 -> 5.45, 120-s excerpts 8.35 -> 8.11,
    /// real-dev unchanged (docs/ACCURACY.md, round 20).
    /// </summary>
    public double NewVoiceMergeLambda { get; init; } = 2;

    /// <summary>Segment representation: how recent (seconds of audio before a re-clustering) speech must be for <see cref="NewVoiceMergeLambda"/>.</summary>
    public double NewVoiceWindowSeconds { get; init; } = 60;

    /// <summary>Segment representation: the speech (seconds) up to which a late voice's group is judged at <see cref="NewVoiceMergeLambda"/>.</summary>
    public double NewVoiceMaxSeconds { get; init; } = 30;

    /// <summary>
    /// Segment representation: clustered speech (seconds) before <see cref="NewSpeakerApartFactor"/> applies. Short
    /// sessions keep the clustering's own test: every voice of a 1-minute excerpt is needed at once (applied from the
    /// start, real-dev's 60-s excerpts went 9.67 -> 10.53 %).
    /// </summary>
    public double NewSpeakerApartAfterSeconds { get; init; } = 60;

    /// <summary>
    /// Segment representation: when a new speaker is found, the remembered segments that made it, already final under
    /// other ids, are relabelled to it (one Relabel each). false keeps every final label (only Merge changes them).
    /// </summary>
    public bool RelabelNewSpeakers { get; init; } = true;

    /// <summary>
    /// Segment representation: a new speaker's Relabel reaches back at most this far (seconds of audio before the
    /// re-clustering that found it); older final speech keeps its label (a Merge still reaches all of it). 0 reaches
    /// back to the session's start. Old speech was relabelled back and forth between minor voices for no gain: at 300 s
    /// the hour of real-dev voices went from 4.7 to 1.6 rewrites a minute and 24 to 11 % relabelled, real-dev live
    /// 8.49 -> 8.37 % (docs/ACCURACY.md). (<see cref="RelabelHorizonSeconds"/> is the windows representation's bound.)
    /// </summary>
    public double RelabelWithinSeconds { get; init; } = 300;

    /// <summary>
    /// Segment representation: for this many re-clusterings after a new speaker is found, its cluster (now on more of its
    /// speech) also claims, by Relabel, the remembered segments it holds that were given other ids, within
    /// <see cref="RelabelWithinSeconds"/>. 0 relabels only the evidence that made it. 1 / 2 / 3 / 5 / 10, measured while
    /// short phrases were pooled for 120 s only: real-dev live 8.28 / 8.28 / 8.00 / 7.87 / 8.20 % (0: 8.37), better on
    /// every derived set too, with a few more rewrites; with pooling all session long it gains less (docs/ACCURACY.md).
    /// </summary>
    public int NewSpeakerClaimReclusterings { get; init; } = 3;

    /// <summary>
    /// Segment representation: a Relabel of a remembered segment also moves the rest of its run of speech that was given
    /// the same speaker and never remembered on its own: the bridged pause before it, and the short pooled pieces (under
    /// a segment's length) before or after it, with the pauses between them (pieces between two segments go with the one
    /// they sound more like). Without it a moved turn stayed striped: its full segments under the new id, the pieces and
    /// pauses between them under the old one. real-dev live 6.74 -> 5.20 % (docs/ACCURACY.md, round 10).
    /// </summary>
    public bool RelabelWholeRuns { get; init; } = true;

    /// <summary>
    /// Segment representation: each committed frame's speaker by a Viterbi pass over the speakers' frame Gaussians (one
    /// full-covariance Gaussian each, from the last re-clustering) from it to the newest speech in the latency's
    /// look-ahead, starting from the previous frame's speaker (a run's first frame: its segment's), a change of speaker
    /// costing this many nats: the live counterpart of the offline resegmentation, so a segment that holds a change of
    /// voice changes speaker where the voice does. 0 gives every frame its segment's speaker. 60-150 nats improve every
    /// development set; real-dev live 5.20 -> 4.80 % at 100 (docs/ACCURACY.md, round 10).
    /// </summary>
    public double FrameChangePenalty { get; init; } = 100;

    /// <summary>
    /// Segment representation, with <see cref="FrameChangePenalty"/>: the cost (nats) of starting a run of speech (a
    /// phrase after a pause or silence) with another speaker than the one its segment was decided for. Lower than a
    /// change within a run, since a run's start is where a turn changes; a pause is kept as its speaker's when the same
    /// speaker goes on, so this also decides which pauses are speech. 45-80 nats lower the live DER on every development
    /// set (real-dev 4.57 -> 4.36 % at 60) but let a voice without an id take the nearest known one more often: with
    /// enrolled voices, 10.1 % of the unenrolled voices' speech carried a name (0.0 % at a full change; docs/ACCURACY.md,
    /// round 12). So a session with known speakers (<see cref="SessionOptions.KnownSpeakers"/>) always pays
    /// <see cref="FrameChangePenalty"/> at a run's start; this applies to the others.
    /// </summary>
    public double FrameRunStartPenalty { get; init; } = 60;

    /// <summary>
    /// Segment representation, sessions without known speakers: a run that follows the previous one across a bridged
    /// pause only (no silence) starts from the previous run's speaker instead of its segment's decision, still paying
    /// <see cref="FrameRunStartPenalty"/> to leave it. Real-dev live 4.36 -> 4.06 %; better on every development set but
    /// the dominant-speaker variants (4.94 -> 5.04 %; docs/ACCURACY.md, round 13). With enrolled voices it gave an
    /// unenrolled voice the name before it (round 12), so a session with known speakers never does this.
    /// </summary>
    public bool FrameRunStartAcrossPauses { get; init; } = true;

    /// <summary>
    /// Segment representation: when a new voice claims its evidence, a remembered segment that touches a claimed one (the
    /// same run of speech, no silence between, the same old id) goes with it too unless the new voice's Gaussian explains
    /// it worse than its own cluster's by more than this many nats: the rest of a turn the clustering left behind. 0: only
    /// the cluster's own segments move. 30-60 nats gain on every development set but the hour (flat there); real-dev live
    /// 4.80 -> 4.65 % at 30 (docs/ACCURACY.md, round 11).
    /// </summary>
    public double RelabelTouchingPenalty { get; init; } = 30;

    /// <summary>
    /// Segment representation: the ranges one claim moves from one old id to the new one are announced as one Relabel
    /// when the old id holds no final speech between them (a Relabel moves only its old id's speech, so the change is
    /// the same); false announces each run of speech on its own. The final speakers of the last
    /// <see cref="RelabelWithinSeconds"/> + 60 s (600 s with no horizon) are kept for it, one int a frame (144 KB).
    /// The same final labels with fewer events: real-dev 59 -> 52, the hour 102 -> 81 (docs/ACCURACY.md, round 12).
    /// </summary>
    public bool CoalesceRelabels { get; init; } = true;

    /// <summary>
    /// Segment representation: a new voice's claim moves a remembered segment of its cluster only if the voice's Gaussian
    /// (taken without the segment) explains it at most this many nats worse than the cluster of the id it was given; a
    /// segment the re-clustering put with the new voice but that still sounds more like its own id keeps its label.
    /// 0 claims every segment of the cluster. 1-30 nats gave the same on every development set (real-dev live 4.65 ->
    /// 4.57 %, fewer events; docs/ACCURACY.md, round 12); 10 is the middle.
    /// </summary>
    public double RelabelClaimMargin { get; init; } = 10;

    /// <summary>Segment representation: re-cluster the remembered segments at most this often (seconds of audio).</summary>
    public double ReclusterSeconds { get; init; } = 20;

    /// <summary>
    /// Segment representation: a segment's speaker is decided again each time this much more of it has been committed,
    /// from its committed frames and the look-ahead after them, for the frames not yet final (labels already given
    /// stay). More speech decides better: on real-dev live 12.72 -> 11.88 % (docs/ACCURACY.md). 0 decides once.
    /// </summary>
    public double RedecideSeconds { get; init; } = 1;

    /// <summary>
    /// Segment representation: when the stream ends, one last re-clustering runs if at least this much audio came after
    /// the previous one, so voices heard since then get their ids and their evidence (by Relabel) before the session
    /// closes. A short session gains most: real-dev's 30 / 60-s excerpts live 21.25 / 17.88 -> 14.35 / 10.78 %, the whole
    /// conversations and the AMI clips unchanged (docs/ACCURACY.md, round 16). 0 turns it off.
    /// </summary>
    public double FinalReclusterAfterSeconds { get; init; } = 1;

    /// <summary>
    /// Segment representation: the last re-clustering, when the stream ends, also corrects the record. Every remembered
    /// segment whose final cluster belongs to another id than the one its speech was given moves to that id (by Relabel),
    /// however old it is, when that cluster explains it better by at least <see cref="FinalRelabelMargin"/> and the
    /// segment holds no more than <see cref="FinalRelabelMixedSeconds"/> of other ids' final speech. Before this, speech a
    /// new voice said before its id stayed under other ids unless a claim reached it: on new conversations of many
    /// voices live scored 3-9 points above offline. With <see cref="RememberFrameLabels"/> in both: remixed real-dev
    /// voices live 7.29 -> 5.86 %, random draws 5.20 -> 4.42 %, real-dev 3.16 -> 3.04 % (docs/ACCURACY.md, round 17).
    /// False leaves the record as the session gave it.
    /// </summary>
    public bool FinalRelabel { get; init; } = true;

    /// <summary>
    /// Segment representation: with the end-of-stream correction (<see cref="FinalRelabel"/>, on sessions that reach its
    /// minimum of speech), an id the final clustering gives no cluster is merged at once (a Merge event into the id whose
    /// cluster holds most of its speech), instead of waiting <see cref="MergeAfterReclusterings"/> re-clusterings that
    /// will not come. Before this, a voice's second id that a late re-clustering had split off and the final one folded
    /// back stayed in the record as a voice of its own. Found on new voices (real-dev voices each resampled by its own
    /// factor, research/round4/remix.py REMIX_WARP): 12 random draws 5.03 -> 4.64 % live, two of them 2 points better;
    /// every other development set unchanged, file for file (docs/ACCURACY.md, round 18). False leaves them dormant.
    /// </summary>
    public bool FinalMergeUnclaimed { get; init; } = true;

    /// <summary>
    /// Segment representation: the re-clustering when the stream ends uses the covariance floor of the whole session's
    /// speech, as offline does. The memory freezes the floor after a minute of speech (so a re-clustering need not
    /// recompute every stored distance), and a floor taken from the first minute need not fit the whole session: on a
    /// conversation of 7 new voices the re-clusterings split voices late in the session. Recomputed once at the end
    /// (n² distances, at most 800 segments). On new voices (REMIX_WARP=11): the designed conversations live 7.67 -> 6.86 %,
    /// the 7-voice 15-minute one 9.50 -> 7.22 %; every other development set unchanged, file for file (docs/ACCURACY.md,
    /// round 18). Skipped when the session must end quickly (<see cref="SessionOptions.Hurry"/>: a server shutting down).
    /// </summary>
    public bool FinalSessionFloor { get; init; } = true;

    /// <summary>
    /// Segment representation: a remembered segment is filed under the id most of its final frames carry, not under its
    /// segment-level decision. Since round 10 each frame's speaker is decided by a Viterbi pass, so the two can differ;
    /// a claim or correction then relabelled the segment "from" an id its frames did not carry, and moved nothing (found
    /// in round 17 on a remixed conversation: a new voice's 5.8 s stayed under the first id after their Relabel event).
    /// With it: remix 6.59 -> 5.86 %, remix2 5.48 -> 4.42 %, real-dev 3.16 -> 3.04 %, the 30 / 60 / 120-s excerpts
    /// 14.35 / 10.78 / 9.28 -> 13.34 / 9.67 / 8.25 % (docs/ACCURACY.md, round 17). False files the segment decision.
    /// </summary>
    public bool RememberFrameLabels { get; init; } = true;

    /// <summary>
    /// How much better (half the ΔBIC-style cost difference, as <see cref="RelabelClaimMargin"/>) a segment's final cluster
    /// must explain it than the cluster of the id it was given, for the end-of-stream correction to move it. With
    /// <see cref="RememberFrameLabels"/>, 160 / 250 / 400 nats gave remix 5.86 / 5.86 / 6.34 %, remix2 4.42 / 4.42 / 4.43 %,
    /// real-dev 3.08 / 3.04 / 3.01 %; 80 gave real-dev 3.09 % and 1.06 Relabel events a minute on dev_6spk_20min.
    /// </summary>
    public double FinalRelabelMargin { get; init; } = 250;

    /// <summary>
    /// The end-of-stream correction leaves a segment alone when more than this much of its span (seconds) is other ids'
    /// final speech: the frame labelling saw a change of speaker inside it, which moving the whole segment would undo.
    /// </summary>
    public double FinalRelabelMixedSeconds { get; init; } = 0.2;

    /// <summary>
    /// The end-of-stream correction runs only when the final re-clustering holds at least this much speech (seconds of
    /// usable frames). On less, the clustering is still unsettled (a lighter ΔBIC weight, few seconds per voice). Measured
    /// with the round's first settings (segment-decision filing, margin 80): without the minimum the correction moved
    /// right speech as often as wrong (real-dev's 120-s excerpts live 9.28 -> 9.47 %). With the defaults no measured set
    /// changes without it; it stays as the guard of short sessions.
    /// </summary>
    public double FinalRelabelMinSpeechSeconds { get; init; } = 120;

    /// <summary>
    /// Segment representation: an id that no cluster claims is merged (a Merge event) only once this many re-clusterings
    /// in a row have left it unclaimed; until then it is dormant (no speech is given to it) and a cluster that splits
    /// off again with its speech takes it back instead of becoming a new id. 1 merges at once. 3 (was 2): on the hour of
    /// real-dev voices 26 -> 23 ids and 14.27 -> 14.06 %, every other set unchanged (docs/ACCURACY.md).
    /// </summary>
    public int MergeAfterReclusterings { get; init; } = 3;

    /// <summary>
    /// Segment representation: until the session has this much speech, phrases shorter than
    /// <see cref="Clustering.SegmentClusteringOptions.MinSegmentSeconds"/> are not lost to the re-clustering: consecutive
    /// short phrases of one run of speech (only bridged pauses between them) given the same speaker are pooled into one
    /// remembered segment once together they are long enough. Early in a session most of a new voice's speech comes in
    /// such pieces, and so does a minor voice's all session long. 0 never pools; the default, a day of speech, pools
    /// throughout. Round 7 kept 120 s (longer pooling relabelled more); with round 9's relabel horizon and claims,
    /// 120 / 240 / 480 / 900 s / always gave real-dev live 8.00 / 7.72 / 6.74 / 6.74 / 6.74 %, the hour 14.02 / 14.10 /
    /// 13.99 / 12.36 / 11.70 % (docs/ACCURACY.md).
    /// </summary>
    public double PoolShortUntilSeconds { get; init; } = 86400;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        void Range(string name, double value, double lo, double hi, string unit)
        {
            if (!(value >= lo && value <= hi))
            {
                errors.Add($"{name} {value} is invalid: use {lo} to {hi}{unit}");
            }
        }
        Range(nameof(SpeechHistorySeconds), SpeechHistorySeconds, 5, 3600, " seconds");
        Range(nameof(SpeechWarmupSeconds), SpeechWarmupSeconds, 0, 30, " seconds");
        Range(nameof(SpeechMinRangeDb), SpeechMinRangeDb, 0, 80, " dB");
        Range(nameof(SpeechTrustVoicedShare), SpeechTrustVoicedShare, 0, 1, " (a share of the frames)");
        Range(nameof(SpeechTrustAfterSeconds), SpeechTrustAfterSeconds, 1, 3600, " seconds");
        Range(nameof(MaxActiveWindows), MaxActiveWindows, 16, 5000, " windows");
        Range(nameof(MaxPreClusters), MaxPreClusters, 4, 2000, " pre-clusters");
        Range(nameof(WindowsPerPreCluster), WindowsPerPreCluster, 1, 1000, " windows");
        Range(nameof(RelabelHorizonSeconds), RelabelHorizonSeconds, 10, 86400, " seconds");
        Range(nameof(NewSpeakerDistance), NewSpeakerDistance, 0, 2, " (cosine distance)");
        Range(nameof(RelabelMargin), RelabelMargin, 0, 2, " (cosine distance)");
        Range(nameof(FirstReclusterWindows), FirstReclusterWindows, 1, 100000, " windows");
        Range(nameof(ReclusterMinNewWindows), ReclusterMinNewWindows, 1, 10000, " windows");
        Range(nameof(ReclusterGrowthFraction), ReclusterGrowthFraction, 0, 10, "");
        Range(nameof(ReclusterMaxNewWindows), ReclusterMaxNewWindows, 1, 100000, " windows");
        Range(nameof(FinalPieceSeconds), FinalPieceSeconds, 0.01, 60, " seconds");
        Range(nameof(MaxSegments), MaxSegments, 16, 5000, " segments");
        Range(nameof(NewSpeakerSeconds), NewSpeakerSeconds, 0.5, 600, " seconds");
        Range(nameof(NewSpeakerApartFactor), NewSpeakerApartFactor, 1, 10, " (1: the clustering's own ΔBIC test)");
        Range(nameof(NewSpeakerApartAfterSeconds), NewSpeakerApartAfterSeconds, 0, 86400, " seconds");
        Range(nameof(NewVoiceMergeLambda), NewVoiceMergeLambda, 0, 100, " (0: the clustering's weight for every group)");
        Range(nameof(NewVoiceWindowSeconds), NewVoiceWindowSeconds, 1, 86400, " seconds");
        Range(nameof(NewVoiceMaxSeconds), NewVoiceMaxSeconds, 1, 86400, " seconds");
        Range(nameof(RelabelWithinSeconds), RelabelWithinSeconds, 0, 86400, " seconds (0: no limit)");
        if (!(RelabelTouchingPenalty is >= 0 and <= 100000))
        {
            errors.Add($"{nameof(RelabelTouchingPenalty)} {RelabelTouchingPenalty} is invalid: use 0 (the cluster's segments only) to 100000 nats");
        }
        if (!(RelabelClaimMargin is >= 0 and <= 100000))
        {
            errors.Add($"{nameof(RelabelClaimMargin)} {RelabelClaimMargin} is invalid: use 0 (every segment of the cluster) to 100000 nats");
        }
        if (!(FrameRunStartPenalty is >= 0 and <= 100000))
        {
            errors.Add($"{nameof(FrameRunStartPenalty)} {FrameRunStartPenalty} is invalid: use 0 (a run starts with whichever speaker the look-ahead favours) to 100000 nats");
        }
        if (!(FrameChangePenalty is >= 0 and <= 100000))
        {
            errors.Add($"{nameof(FrameChangePenalty)} {FrameChangePenalty} is invalid: use 0 (segment labels) to 100000 nats");
        }
        Range(nameof(NewSpeakerClaimReclusterings), NewSpeakerClaimReclusterings, 0, 1000, " re-clusterings");
        Range(nameof(ReclusterSeconds), ReclusterSeconds, 0.5, 600, " seconds");
        Range(nameof(RedecideSeconds), RedecideSeconds, 0, 600, " seconds");
        Range(nameof(FinalReclusterAfterSeconds), FinalReclusterAfterSeconds, 0, 600, " seconds");
        Range(nameof(FinalRelabelMargin), FinalRelabelMargin, 0, 100000, " nats");
        Range(nameof(FinalRelabelMixedSeconds), FinalRelabelMixedSeconds, 0, 10, " seconds");
        Range(nameof(FinalRelabelMinSpeechSeconds), FinalRelabelMinSpeechSeconds, 0, 86400, " seconds");
        Range(nameof(PoolShortUntilSeconds), PoolShortUntilSeconds, 0, 86400, " seconds");
        Range(nameof(MergeAfterReclusterings), MergeAfterReclusterings, 1, 1000, " re-clusterings");
        if (ReclusterMaxNewWindows < ReclusterMinNewWindows)
        {
            errors.Add($"ReclusterMaxNewWindows {ReclusterMaxNewWindows} is below ReclusterMinNewWindows {ReclusterMinNewWindows}");
        }
        return errors;
    }

    public OnlineDiarizerOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
