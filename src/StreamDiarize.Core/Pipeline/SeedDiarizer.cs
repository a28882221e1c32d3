// The seed tutorial's diarization, faithfully: every frame gets a speaker, frames spread evenly over the audio.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Pipeline;

/// <summary>
/// wave -> featurizer -> l2-normalised frames -> spectral clustering -> arange_frames -> group_frames.
/// It is the baseline every other method is measured against; it is not tuned.
/// </summary>
public sealed class SeedDiarizer
{
    private readonly SeedDiarizerOptions _options;

    public SeedDiarizer(SeedDiarizerOptions options)
    {
        OptionsValidationException.ThrowIfAny(options.GetValidationErrors());
        _options = options;
    }

    /// <summary>Diarizes a whole clip; the hints override the clusterer's min/max/exact counts when given.</summary>
    public List<SpeakerSegment> Diarize(AudioClip clip, int? exactSpeakers = null, int? minSpeakers = null, int? maxSpeakers = null)
    {
        var features = new SttFeaturizer(_options.Features).Compute(clip.Samples);
        var rows = new float[features.Frames][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = L2Normalized(features.Row(i));
        }
        var clustering = _options.Clustering;
        var clusterer = new SpectralClusterer(new SpectralClustererOptions
        {
            MinClusters = minSpeakers ?? clustering.MinClusters,
            MaxClusters = maxSpeakers ?? clustering.MaxClusters,
            ExactClusters = exactSpeakers ?? clustering.ExactClusters,
            PPercentile = clustering.PPercentile,
            GaussianBlurSigma = clustering.GaussianBlurSigma,
            ThresholdingSoftMultiplier = clustering.ThresholdingSoftMultiplier,
            ThresholdingType = clustering.ThresholdingType,
            Refinements = clustering.Refinements,
            SymmetrizeType = clustering.SymmetrizeType,
            StopEigenvalue = clustering.StopEigenvalue,
            RowWiseRenormalize = clustering.RowWiseRenormalize,
            KMeansMaxIterations = clustering.KMeansMaxIterations,
            Seed = clustering.Seed,
            MaxInputSize = clustering.MaxInputSize,
        });
        var labels = clusterer.Predict(rows);
        var timeline = FrameTimeline.EvenlySpread(labels.Length, clip.DurationSeconds);
        var segments = FrameGrouper.Group(labels, timeline, FrameGrouper.DefaultName);
        return FrameGrouper.CleanShort(segments, _options.MinSegmentSeconds, _options.ShortSegments);
    }

    private static float[] L2Normalized(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (var v in row)
        {
            sum += (double)v * v;
        }
        var result = row.ToArray();
        if (sum > 0)
        {
            float scale = (float)(1 / Math.Sqrt(sum));
            for (int i = 0; i < result.Length; i++)
            {
                result[i] *= scale;
            }
        }
        return result;
    }
}
