// Per-window normalisation of an fbank matrix: models are trained on features with each mel bin centred per utterance.
namespace StreamDiarize.Onnx;

internal static class FbankNormalizer
{
    /// <summary>
    /// Normalises a row-major [frames, bins] matrix in place. MeanVariance divides by the unbiased standard
    /// deviation plus 1e-5, as NeMo's per_feature normalisation does.
    /// </summary>
    public static void Normalize(Span<float> features, int frames, int bins, FeatureNormalization mode)
    {
        if (mode == FeatureNormalization.None || frames == 0)
        {
            return;
        }
        for (int b = 0; b < bins; b++)
        {
            double sum = 0;
            for (int t = 0; t < frames; t++)
            {
                sum += features[(t * bins) + b];
            }
            float mean = (float)(sum / frames);
            float scale = 1f;
            if (mode == FeatureNormalization.MeanVariance)
            {
                double sq = 0;
                for (int t = 0; t < frames; t++)
                {
                    double dev = features[(t * bins) + b] - mean;
                    sq += dev * dev;
                }
                double std = frames > 1 ? Math.Sqrt(sq / (frames - 1)) : 0;
                scale = (float)(1.0 / (std + 1e-5));
            }
            for (int t = 0; t < frames; t++)
            {
                ref float v = ref features[(t * bins) + b];
                v = (v - mean) * scale;
            }
        }
    }
}
