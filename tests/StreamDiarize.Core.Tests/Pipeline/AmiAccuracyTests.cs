// Accuracy regression: the default diarizer on the twelve real AMI clips must not lose more than a point of DER.
using System.Collections.Concurrent;
using StreamDiarize.Audio;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Core.Tests.Pipeline;

public class AmiAccuracyTests(ITestOutputHelper output)
{
    /// <summary>
    /// The recorded totals (percent) of the default diarizer on the 12 AMI clips, md-eval scoring. Kept here only;
    /// docs/ACCURACY.md explains them and the per-file table. Update both together when the algorithm improves.
    /// </summary>
    public static class Recorded
    {
        public const double DerPercentCollar025 = 29.29;
        public const double DerPercentCollar0 = 40.85;

        /// <summary>A change may cost at most this many points before the test fails.</summary>
        public const double AllowedLossPoints = 1.0;
    }

    /// <summary>The clip of 0.7 s of speech under loud bumps and rustle (its speech detector output was empty until round 14).</summary>
    private const string NoiseOnlyClip = "trn02";

    private static readonly Lazy<IReadOnlyList<(string Id, IReadOnlyList<SpeakerSegment> Reference, DiarizationResult Result)>> Runs = new(() =>
    {
        var diarizer = new DefaultDiarizer();
        var runs = new ConcurrentBag<(string, IReadOnlyList<SpeakerSegment>, DiarizationResult)>();
        Parallel.ForEach(RepoPaths.AmiIds, id =>
        {
            var clip = AudioLoader.LoadWav(RepoPaths.Ami(id + ".wav"));
            runs.Add((id, Rttm.ReadFile(RepoPaths.Ami(id + ".rttm"))[id], diarizer.Diarize(clip)));
        });
        return [.. runs.OrderBy(r => r.Item1, StringComparer.Ordinal)];
    });

    private static double TotalDerPercent(double collarSeconds) =>
        100 * DerTotal.Of(Runs.Value.Select(r => DerScorer.Score(r.Id, r.Reference, r.Result.Segments, new DerOptions { CollarSeconds = collarSeconds }))).Der;

    [Fact]
    public void The_per_file_table_is_written_to_the_test_output()
    {
        // The docs/ACCURACY.md table comes from here: run with --logger "console;verbosity=detailed" to see it.
        var c25 = Runs.Value.Select(r => DerScorer.Score(r.Id, r.Reference, r.Result.Segments, new DerOptions { CollarSeconds = 0.25 })).ToList();
        var c0 = Runs.Value.Select(r => DerScorer.Score(r.Id, r.Reference, r.Result.Segments, new DerOptions { CollarSeconds = 0 })).ToList();
        output.WriteLine("| file | c=0.25 miss | FA | conf | DER % | c=0 miss | FA | conf | DER % | speakers |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < c25.Count; i++)
        {
            var (a, b) = (c25[i], c0[i]);
            output.WriteLine($"| {a.FileId} | {a.MissSeconds:F2} | {a.FalseAlarmSeconds:F2} | {a.ConfusionSeconds:F2} | {100 * a.Der:F1} | " +
                $"{b.MissSeconds:F2} | {b.FalseAlarmSeconds:F2} | {b.ConfusionSeconds:F2} | {100 * b.Der:F1} | {Runs.Value[i].Result.SpeakerCount} |");
        }
        var (t25, t0) = (DerTotal.Of(c25), DerTotal.Of(c0));
        output.WriteLine($"| **total** | {t25.MissSeconds:F2} | {t25.FalseAlarmSeconds:F2} | {t25.ConfusionSeconds:F2} | **{100 * t25.Der:F2}** | " +
            $"{t0.MissSeconds:F2} | {t0.FalseAlarmSeconds:F2} | {t0.ConfusionSeconds:F2} | **{100 * t0.Der:F2}** | |");
        Assert.Equal(12, c25.Count);
    }

    [Fact]
    public void Total_der_at_collar_0_25_is_within_a_point_of_the_recorded_figure()
    {
        Assert.InRange(TotalDerPercent(0.25), 0, Recorded.DerPercentCollar025 + Recorded.AllowedLossPoints);
    }

    [Fact]
    public void Total_der_at_collar_0_is_within_a_point_of_the_recorded_figure()
    {
        Assert.InRange(TotalDerPercent(0), 0, Recorded.DerPercentCollar0 + Recorded.AllowedLossPoints);
    }

    [Fact]
    public void Every_clip_gets_speech_and_at_most_four_speakers_named_by_first_appearance_and_the_noise_clip_little()
    {
        foreach (var (id, reference, result) in Runs.Value)
        {
            Assert.Equal(id, result.FileId);
            if (id == NoiseOnlyClip)
            {
                // 0.7 s of reference speech under loud bumps and rustle. Until round 13 the voicing gate removed every
                // region; with round 14's threshold caps the detector finds that speech (1.0 s over its 0.7 s) and one
                // 0.4-s bump, and round 25's turn pads give each turn up to 0.4 s of the silence around it: at most
                // 2.5 s of speech in all (2.24 s measured), some of it on the reference turn.
                Assert.InRange(result.Segments.Sum(s => s.DurationSeconds), 0, 2.5);
                Assert.Contains(result.Segments, s => reference.Any(r => s.StartSeconds < r.EndSeconds && r.StartSeconds < s.EndSeconds));
                continue;
            }
            Assert.NotEmpty(result.Segments);
            Assert.InRange(result.SpeakerCount, 1, 4);
            Assert.Equal("S0", result.Segments[0].Speaker);
        }
    }
}
