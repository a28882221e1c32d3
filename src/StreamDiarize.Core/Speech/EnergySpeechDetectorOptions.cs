// Settings of the band-energy speech detector; defaults are the research pipeline's (research/round1/FINDINGS.md steps 2-4,
// as changed by research round 2: research/round2/FINDINGS2.md steps 3-6, voicing gate and wider hysteresis/gap filling).
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Speech;

/// <summary>
/// Options of <see cref="EnergySpeechDetector"/>. Energy is measured in a telephone band, smoothed, and compared
/// with thresholds placed between the clip's noise floor and speech peak (percentiles of the smoothed energy).
/// </summary>
public sealed record EnergySpeechDetectorOptions
{
    public int SampleRateHz { get; init; } = 16000;

    /// <summary>Analysis frame (periodic Hamming), in milliseconds.</summary>
    public int FrameMs { get; init; } = 25;

    /// <summary>Hop between frames, in milliseconds: also the hop of the mask.</summary>
    public int HopMs { get; init; } = 10;

    /// <summary>FFT points; a power of two at least the frame.</summary>
    public int FftSize { get; init; } = 512;

    /// <summary>Lowest frequency summed (inclusive). Below 300 Hz the headsets carry breath and bumps, not voice.</summary>
    public double BandLowHz { get; init; } = 300;

    /// <summary>Highest frequency summed (exclusive).</summary>
    public double BandHighHz { get; init; } = 3400;

    /// <summary>Added to the band power before the log, so silence is -100 dB rather than -infinity.</summary>
    public double PowerFloor { get; init; } = 1e-10;

    /// <summary>
    /// Length of the centred moving average over frame energies (odd; at the edges it averages what exists), offline.
    /// 11 until round 13; 5 misses less of every development set's speech (quiet phrases and the edges of short ones:
    /// real-dev 3.08 -> 2.45 %, AMI 28.69 -> 28.52 %; docs/ACCURACY.md, round 13).
    /// </summary>
    public int SmoothingFrames { get; init; } = 5;

    /// <summary>
    /// The same for the live detector (<see cref="Streaming.StreamingSpeechDetector"/>). Live it stays 11: at 5 the live
    /// mask's extra short islands cost the AMI clips 3 points, gave a six-voice synthetic meeting a seventh id and let an
    /// unenrolled voice be named (round 13).
    /// </summary>
    public int StreamingSmoothingFrames { get; init; } = 11;

    /// <summary>
    /// Frames whose band energy is at most this (dB) are digital silence: a muted microphone, a client that sends zeros,
    /// padding, the gaps of a gated or synthetic voice. With <see cref="DigitalSilenceRules"/> the smoothing leaves them out of their neighbours' averages, and
    /// the floor and the peak read them as the recording's quietest other sound (<see cref="SilenceStandInPercentile"/>)
    /// instead of -100 dB. Read as they were, a mute of a tenth of a recording put the floor at the power floor, the
    /// thresholds 50 dB under the voices and the room's noise into the speech: real-dev with 20 s muted every 100 s
    /// scored 19.2 % offline instead of 2.1 %, two conversations' counts wrong (docs/ACCURACY.md, round 21). The quietest
    /// real input measured lies 40 dB above -90 dB (an AMI clip's quietest frame -50.5 dB; one 16-bit step of noise
    /// -50.4 dB); 16-bit zeros give -100 dB.
    /// </summary>
    public double DigitalSilenceDb { get; init; } = -90;

    /// <summary>
    /// The percentile, among the frames that are not digital silence, of the level digital silence counts as when the
    /// floor and the peak are taken. 1, not the minimum: a mute's fade in or out (a few frames far under the room)
    /// then moves nothing (with the minimum, 50-ms fades put real-dev's muted conversations back at 18.3 %).
    /// </summary>
    public const double SilenceStandInPercentile = 1;

    /// <summary>The rank, among <paramref name="sounding"/> frames that are not digital silence, of the one digital silence stands in for.</summary>
    public static int SilenceStandInRank(long sounding) => (int)Math.Floor(SilenceStandInPercentile / 100.0 * Math.Max(0, sounding - 1));

    /// <summary>
    /// Whether digital silence (<see cref="DigitalSilenceDb"/>) gets its own rules: left out of the smoothing, and read
    /// as the quietest other sound by the floor and the peak. false reads it as any other frame, as before round 21; the
    /// window representation's live diarizer keeps that: with the rules its live splitting, tuned on the synthetic
    /// meetings, found 8 voices for 6 on one, and real-dev muted 20 s every 100 s went 16.63 -> 20.79 % (docs/ACCURACY.md,
    /// round 21). Offline the window representation takes them (the same muted conversations 53.58 -> 15.78 %).
    /// </summary>
    public bool DigitalSilenceRules { get; init; } = true;

    /// <summary>
    /// With <see cref="DigitalSilenceRules"/>: digital silence that gap filling bridges into speech is a pause however
    /// short (<see cref="SpeechMask.IsPause"/>: part of the turn, but no voice model reads the power floor's features,
    /// alike for every voice). The zeros between a TTS voice's words then no longer split its segments (the synthetic
    /// meetings 12.70 -> 4.39 % with the segment representation, round 21). The window representation, whose splitting
    /// reads pauses as turn boundaries, leaves it off (with it the synthetic meetings scored 26.37 % against 0.44 %).
    /// </summary>
    public bool DigitalSilencePauses { get; init; } = true;

    /// <summary>
    /// These options for the window representation (and an ONNX embedder's windows), whose splitting reads pauses as turn
    /// boundaries: offline the digital-silence rules without the pauses, live none of them (see
    /// <see cref="DigitalSilenceRules"/> and <see cref="DigitalSilencePauses"/> for what each cost it).
    /// </summary>
    public EnergySpeechDetectorOptions ForWindowRepresentation(bool live) =>
        live ? this with { DigitalSilenceRules = false } : this with { DigitalSilencePauses = false };

    /// <summary>The level at or under which a frame is digital silence for the rules: <see cref="DigitalSilenceDb"/>, or -∞ without them.</summary>
    public double SilenceRulesDb => DigitalSilenceRules ? DigitalSilenceDb : double.NegativeInfinity;

    /// <summary>Percentile of the smoothed energy taken as the noise floor.</summary>
    public double FloorPercentile { get; init; } = 10;

    /// <summary>Percentile of the smoothed energy taken as the speech peak.</summary>
    public double PeakPercentile { get; init; } = 99;

    /// <summary>The high (seed) threshold sits this fraction of the floor-to-peak range above the floor...</summary>
    public double HighThresholdFraction { get; init; } = 0.6;

    /// <summary>...but at least this many dB above it.</summary>
    public double MinHighAboveFloorDb { get; init; } = 6;

    /// <summary>The high threshold is raised to at least peak minus this; 99 dB effectively disables the rule, as in the research.</summary>
    public double MaxHighBelowPeakDb { get; init; } = 99;

    /// <summary>The low (extension) threshold sits this fraction of the range above the floor...</summary>
    /// <remarks>0.4 (round 1 had 0.3) is only safe with the voicing gate catching the noise bursts it lets through.</remarks>
    public double LowThresholdFraction { get; init; } = 0.4;

    /// <summary>...but at least this many dB above it.</summary>
    public double MinLowAboveFloorDb { get; init; } = 3;

    /// <summary>
    /// The high threshold is lowered to at most this many dB below the speech peak (never under
    /// <see cref="MinHighAboveFloorDb"/> above the floor); 0 turns the rule off. The fractions above place the thresholds
    /// by the floor-to-peak range, so in a noisy room (a small range) they rise towards the quieter voices: a voice 9 dB
    /// below the loudest one at 20 dB SNR lost half its speech. A voice within this many dB of the loudest one's peak
    /// seeds speech however noisy the room. 18 dB changes only ranges under 45 dB. 15-20 dB all gain on the noisy
    /// development sets (conversations of the real-dev voices at 20-25 dB SNR: 10-25 % -> 7-13 % offline) and none is
    /// worse on the clean ones; the AMI clips lose 0.8 points on one clip that is 90 % background (docs/ACCURACY.md, round 14).
    /// </summary>
    public double HighCapBelowPeakDb { get; init; } = 18;

    /// <summary>
    /// The same for the low threshold (never above the high one); 0 turns it off. 20 dB changes only ranges under
    /// 33 dB, a noisy room's (20-26 dB measured alike; docs/ACCURACY.md, round 14).
    /// </summary>
    public double LowCapBelowPeakDb { get; init; } = 20;

    /// <summary>
    /// The high (seed) and low (extension) thresholds for a noise floor and a floor-to-peak range (dB), by the rules
    /// above; both detectors use this. The caps are measured from <paramref name="peak"/>; <paramref name="capBelowPeak"/>
    /// false leaves them out (the live detector's warm-up, whose range may be assumed rather than measured).
    /// </summary>
    public (double High, double Low) Thresholds(double floor, double range, double peak, bool capBelowPeak = true)
    {
        double high = Math.Max(floor + Math.Max(MinHighAboveFloorDb, HighThresholdFraction * range), peak - MaxHighBelowPeakDb);
        double low = floor + Math.Max(MinLowAboveFloorDb, LowThresholdFraction * range);
        if (capBelowPeak && HighCapBelowPeakDb > 0)
        {
            high = Math.Max(Math.Min(high, peak - HighCapBelowPeakDb), floor + MinHighAboveFloorDb);
        }
        if (capBelowPeak && LowCapBelowPeakDb > 0)
        {
            low = Math.Min(Math.Max(Math.Min(low, peak - LowCapBelowPeakDb), floor + MinLowAboveFloorDb), high);
        }
        return (high, low);
    }

    /// <summary>Speech regions separated by less than this are joined: the references bridge pauses of a second or more.</summary>
    /// <remarks>1.5 s (round 1 had 1.0 s) for the same reason as <see cref="LowThresholdFraction"/>.</remarks>
    public double GapFillSeconds { get; init; } = 1.5;

    /// <summary>
    /// Bridged gaps at least this long are also reported as pauses (<see cref="SpeechMask.IsPause"/>), so that a
    /// diarizer can drop those that fall between two different speakers' turns; every other stage still sees them as
    /// speech. At or above <see cref="GapFillSeconds"/> no gap qualifies, which turns the marking off.
    /// </summary>
    /// <remarks>
    /// 0.3 s: shorter breaks are articulation (stops, breaths), never a turn boundary worth a gap in the output.
    /// Offline only: the streaming detector does not mark pauses.
    /// </remarks>
    public double PauseSeconds { get; init; } = 0.3;

    /// <summary>Regions shorter than this (after gap filling) are dropped.</summary>
    public double MinIslandSeconds { get; init; } = 0.4;

    /// <summary>
    /// Drop every region (after gap filling and island removal) in which fewer than <see cref="MinVoicedFraction"/>
    /// of the frames have voicing above <see cref="VoicingThreshold"/>: on AMI this removes the loud noise bursts
    /// (bumps, rustle) that pass the energy thresholds, while every region holding speech stays well above.
    /// </summary>
    public bool VoicingGate { get; init; } = true;

    /// <summary>A frame counts as voiced when its voicing (<see cref="VoicingEstimator"/>) exceeds this.</summary>
    public double VoicingThreshold { get; init; } = 0.6;

    /// <summary>
    /// Least share of voiced frames a region keeps. On the AMI clips noise regions reach at most 0.30 and speech
    /// regions at least 0.42; 0.35 sits between them (research round 2's leave-one-out showed 0.30 over-fits).
    /// </summary>
    public double MinVoicedFraction { get; init; } = 0.35;

    /// <summary>The voicing cue of the gate; its hop must equal <see cref="HopSamples"/>.</summary>
    public VoicingOptions Voicing { get; init; } = new();

    public int FrameSamples => (int)((long)SampleRateHz * FrameMs / 1000);

    public int HopSamples => (int)((long)SampleRateHz * HopMs / 1000);

    public double HopSeconds => (double)HopSamples / SampleRateHz;

    /// <summary>Every problem with these options, each with the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (SampleRateHz is < 1000 or > 384000)
        {
            errors.Add($"SampleRateHz {SampleRateHz} is invalid: give the rate of the audio, 1000 to 384000 (16000 is usual).");
        }
        if (FrameMs is < 1 or > 1000)
        {
            errors.Add($"FrameMs {FrameMs} is invalid: use 1 to 1000 ms (25 is usual).");
        }
        if (HopMs is < 1 or > 1000)
        {
            errors.Add($"HopMs {HopMs} is invalid: use 1 to 1000 ms (10 is usual).");
        }
        if (FftSize is < 2 or > 65536 || (FftSize & (FftSize - 1)) != 0)
        {
            errors.Add($"FftSize {FftSize} is invalid: use a power of two from 2 to 65536 (512 is usual).");
        }
        else if (SampleRateHz >= 1000 && FrameMs >= 1 && FftSize < FrameSamples)
        {
            errors.Add($"FftSize {FftSize} is shorter than the frame ({FrameSamples} samples): use a power of two at least that.");
        }
        if (!(BandLowHz >= 0 && BandLowHz < BandHighHz && BandHighHz <= SampleRateHz / 2.0))
        {
            errors.Add($"BandLowHz {BandLowHz} and BandHighHz {BandHighHz} are invalid: need 0 <= low < high <= {SampleRateHz / 2.0} Hz (300 and 3400 are usual).");
        }
        if (!(PowerFloor > 0 && PowerFloor < 1))
        {
            errors.Add($"PowerFloor {PowerFloor} is invalid: use a small positive number below 1 (1e-10 is usual).");
        }
        if (!(DigitalSilenceDb is >= -400 and <= 0))
        {
            errors.Add($"DigitalSilenceDb {DigitalSilenceDb} is invalid: use -400 to 0 dB, above 10 log10(PowerFloor) to take effect (-90 is usual).");
        }
        foreach (var (name, frames, usual) in new[] { (nameof(SmoothingFrames), SmoothingFrames, 5), (nameof(StreamingSmoothingFrames), StreamingSmoothingFrames, 11) })
        {
            if (frames < 1 || frames > 1001 || frames % 2 == 0)
            {
                errors.Add($"{name} {frames} is invalid: use an odd count from 1 (off) to 1001 ({usual} is usual).");
            }
        }
        if (!(FloorPercentile >= 0 && FloorPercentile < PeakPercentile && PeakPercentile <= 100))
        {
            errors.Add($"FloorPercentile {FloorPercentile} and PeakPercentile {PeakPercentile} are invalid: need 0 <= floor < peak <= 100 (10 and 99 are usual).");
        }
        if (!(HighThresholdFraction is >= 0 and <= 1))
        {
            errors.Add($"HighThresholdFraction {HighThresholdFraction} is invalid: use 0 to 1 (0.6 is usual).");
        }
        if (!(LowThresholdFraction is >= 0 and <= 1))
        {
            errors.Add($"LowThresholdFraction {LowThresholdFraction} is invalid: use 0 to 1 (0.4 is usual).");
        }
        if (!(MinHighAboveFloorDb is >= 0 and <= 200) || !(MinLowAboveFloorDb is >= 0 and <= 200))
        {
            errors.Add($"MinHighAboveFloorDb {MinHighAboveFloorDb} and MinLowAboveFloorDb {MinLowAboveFloorDb} are invalid: use 0 to 200 dB (6 and 3 are usual).");
        }
        if (!(HighCapBelowPeakDb is >= 0 and <= 200) || !(LowCapBelowPeakDb is >= 0 and <= 200))
        {
            errors.Add($"HighCapBelowPeakDb {HighCapBelowPeakDb} and LowCapBelowPeakDb {LowCapBelowPeakDb} are invalid: use 0 (off) to 200 dB.");
        }
        if (!(MaxHighBelowPeakDb is >= 0 and <= 1000))
        {
            errors.Add($"MaxHighBelowPeakDb {MaxHighBelowPeakDb} is invalid: use 0 to 1000 dB (99 disables the rule).");
        }
        if (!(GapFillSeconds is >= 0 and <= 60))
        {
            errors.Add($"GapFillSeconds {GapFillSeconds} is invalid: use 0 (off) to 60 s (1.5 is usual).");
        }
        if (!(PauseSeconds is >= 0 and <= 60))
        {
            errors.Add($"PauseSeconds {PauseSeconds} is invalid: use 0 to 60 s (0.3 is usual; at or above GapFillSeconds no pause is marked).");
        }
        if (!(MinIslandSeconds is >= 0 and <= 60))
        {
            errors.Add($"MinIslandSeconds {MinIslandSeconds} is invalid: use 0 (off) to 60 s (0.4 is usual).");
        }
        if (!(VoicingThreshold is >= 0 and <= 10))
        {
            errors.Add($"VoicingThreshold {VoicingThreshold} is invalid: use 0 to 10 (0.6 is usual; voicing is about 1 on a periodic frame).");
        }
        if (!(MinVoicedFraction is >= 0 and <= 1))
        {
            errors.Add($"MinVoicedFraction {MinVoicedFraction} is invalid: use 0 (gate off) to 1 (0.35 is usual).");
        }
        if (Voicing is null)
        {
            errors.Add("Voicing is missing: give voicing options or leave the default.");
        }
        else
        {
            foreach (var e in Voicing.GetValidationErrors())
            {
                errors.Add("Voicing." + e);
            }
            if (VoicingGate && SampleRateHz >= 1000 && HopMs >= 1 && Voicing.HopSamples != HopSamples)
            {
                errors.Add($"Voicing.HopSamples {Voicing.HopSamples} differs from the mask's hop ({HopSamples} samples): the gate reads one voicing value per mask frame.");
            }
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public EnergySpeechDetectorOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
