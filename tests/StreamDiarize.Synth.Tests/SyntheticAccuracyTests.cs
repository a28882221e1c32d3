// Both representations on the synthetic meetings of docs/ACCURACY.md: regression bounds on the recorded total DERs.
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using Xunit.Abstractions;

namespace StreamDiarize.Synth.Tests;

public class SyntheticAccuracyTests(ITestOutputHelper output)
{
    /// <summary>
    /// Total DER (collar 0.25) of the tuning meetings syn2/4/6/8 (5 minutes, seed = speaker count) with the window
    /// representation, docs/ACCURACY.md: 0.23 % until round 21, 0.44 % since its detector reads the zeros between the
    /// TTS voices' words as the quietest other sound instead of -100 dB (EnergySpeechDetectorOptions.DigitalSilenceRules).
    /// </summary>
    public const double RecordedDerPercent = 0.44;

    /// <summary>
    /// The same with the segment representation (the default since round 4). Round 13 recorded 12.70 %: the zeros
    /// between a TTS voice's words were read as speech frames, so one voice's segments split apart. Since round 21
    /// digital silence is a pause (EnergySpeechDetectorOptions.DigitalSilenceRules): 4.39 %, the count exact on syn2,
    /// syn4 and syn6 and 7 of 8 on syn8. Still above the 3 % the windows reach (docs/ACCURACY.md).
    /// </summary>
    public const double RecordedSegmentsDerPercent = 4.39;

    public const double AllowedLossPoints = 1.0;

    [SkippableFact]
    public void Meetings_of_2_4_6_and_8_tts_voices_stay_within_a_point_of_the_recorded_total()
    {
        TtsRequirement.Require(8);
        var synthesizer = new MeetingSynthesizer(TtsRequirement.Bank);
        var diarizer = new DefaultDiarizer(new DefaultDiarizerOptions { Representation = SpeakerRepresentation.Windows });
        var segmentDiarizer = new DefaultDiarizer();
        var results = new List<DerResult>();
        var segmentResults = new List<DerResult>();
        var dir = Directory.CreateTempSubdirectory("sd-synacc-").FullName;
        foreach (int speakers in new[] { 2, 4, 6, 8 })
        {
            var meeting = synthesizer.Synthesize(new MeetingSynthOptions { Speakers = speakers, DurationSeconds = 300, Seed = speakers }, $"syn{speakers}");
            // Through the WAV file, as `streamdiarize synth` then `file` do: the 16-bit rounding is part of the figure.
            var (wav, _) = meeting.WriteTo(dir);
            var clip = StreamDiarize.Audio.AudioLoader.LoadWav(wav);
            var result = diarizer.Diarize(clip);
            var der = DerScorer.Score(meeting.Audio.Id, meeting.Segments, result.Segments, new DerOptions { CollarSeconds = 0.25 });
            var segmentResult = segmentDiarizer.Diarize(clip);
            var segmentDer = DerScorer.Score(meeting.Audio.Id, meeting.Segments, segmentResult.Segments, new DerOptions { CollarSeconds = 0.25 });
            output.WriteLine($"syn{speakers}: windows {result.SpeakerCount} speakers found, DER {100 * der.Der:F2} %; segments {segmentResult.SpeakerCount}, {100 * segmentDer.Der:F2} %");
            results.Add(der);
            segmentResults.Add(segmentDer);
        }
        Directory.Delete(dir, recursive: true);
        double total = 100 * DerTotal.Of(results).Der;
        double segmentTotal = 100 * DerTotal.Of(segmentResults).Der;
        output.WriteLine($"total: windows {total:F2} % (recorded {RecordedDerPercent}), segments {segmentTotal:F2} % (recorded {RecordedSegmentsDerPercent})");
        Assert.InRange(total, 0, RecordedDerPercent + AllowedLossPoints);
        Assert.InRange(segmentTotal, 0, RecordedSegmentsDerPercent + AllowedLossPoints);
    }
}
