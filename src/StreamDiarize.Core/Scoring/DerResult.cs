// What scoring one file, or many, yields: error seconds by kind, DER and JER.
namespace StreamDiarize.Core.Scoring;

/// <summary>The score of one file. Seconds are speaker-seconds: two reference speakers for 1 s count 2 s.</summary>
/// <param name="FileId">The RTTM file id.</param>
/// <param name="ScoredSeconds">Reference speaker time in the scored region (the DER denominator).</param>
/// <param name="MissSeconds">Reference speaker time with no hypothesis speaker to take it.</param>
/// <param name="FalseAlarmSeconds">Hypothesis speaker time beyond the reference speaker count.</param>
/// <param name="ConfusionSeconds">Time matched to a hypothesis speaker that is not the mapped one.</param>
/// <param name="HypothesisSeconds">Hypothesis speaker time in the scored region; decides JER when the reference is empty.</param>
/// <param name="SpeakerJer">Jaccard error of each reference speaker that has scored time.</param>
/// <param name="Mapping">Reference speaker to the hypothesis speaker it was mapped to (mapped pairs only).</param>
public sealed record DerResult(
    string FileId,
    double ScoredSeconds,
    double MissSeconds,
    double FalseAlarmSeconds,
    double ConfusionSeconds,
    double HypothesisSeconds,
    IReadOnlyDictionary<string, double> SpeakerJer,
    IReadOnlyDictionary<string, string> Mapping)
{
    public double ErrorSeconds => MissSeconds + FalseAlarmSeconds + ConfusionSeconds;

    /// <summary>Diarization error rate, a fraction (1.0 = 100 %). See <see cref="DerScorer.ErrorRate"/> for empty references.</summary>
    public double Der => DerScorer.ErrorRate(ErrorSeconds, ScoredSeconds);

    /// <summary>Mean Jaccard error over reference speakers; with none, 0 if the hypothesis is silent too, else 1.</summary>
    public double Jer => SpeakerJer.Count > 0 ? SpeakerJer.Values.Average() : (HypothesisSeconds > 0 ? 1.0 : 0.0);
}

/// <summary>
/// The score of many files. DER is time-weighted (sum of errors over sum of scored time), as md-eval and
/// pyannote report a corpus; JER is the mean over every reference speaker of every file (dscore's overall JER).
/// </summary>
public sealed record DerTotal(
    int FileCount,
    double ScoredSeconds,
    double MissSeconds,
    double FalseAlarmSeconds,
    double ConfusionSeconds,
    int ReferenceSpeakerCount,
    double Jer)
{
    public double ErrorSeconds => MissSeconds + FalseAlarmSeconds + ConfusionSeconds;

    public double Der => DerScorer.ErrorRate(ErrorSeconds, ScoredSeconds);

    public static DerTotal Of(IEnumerable<DerResult> files)
    {
        int count = 0, speakers = 0;
        double scored = 0, miss = 0, falseAlarm = 0, confusion = 0, hypothesis = 0, jerSum = 0;
        foreach (var file in files)
        {
            count++;
            scored += file.ScoredSeconds;
            miss += file.MissSeconds;
            falseAlarm += file.FalseAlarmSeconds;
            confusion += file.ConfusionSeconds;
            hypothesis += file.HypothesisSeconds;
            speakers += file.SpeakerJer.Count;
            jerSum += file.SpeakerJer.Values.Sum();
        }
        var jer = speakers > 0 ? jerSum / speakers : (hypothesis > 0 ? 1.0 : 0.0);
        return new DerTotal(count, scored, miss, falseAlarm, confusion, speakers, jer);
    }
}
