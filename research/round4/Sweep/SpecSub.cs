// SPECSUB="alpha,beta[,pct]" (round 23): MFCCs from mel energies with the room's noise subtracted. The noise of each
// mel band is the mean energy of the frames the speech mask calls non-speech (or, with pct, that percentile of all
// frames); each frame keeps max(E - alpha N, beta E) before the log and the same orthonormal DCT as the product.
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Speech;

static class SpecSub
{
    public static FeatureMatrix Mfcc(float[] samples, SpeechMask mask, WindowStatsEmbedderOptions o, string spec)
    {
        var parts = spec.Split(',').Select(double.Parse).ToArray();
        double alpha = parts[0], beta = parts[1];
        var mel = new SttFeaturizer(o.Features with { FeatureType = FeatureType.LogMelSpectrogram }).Compute(samples);
        int n = mel.Dims, frames = mel.Frames, k = o.Features.NumMfcc ?? 20;
        var noise = new double[n];
        if (parts.Length > 2)
        {
            var col = new double[frames];
            for (int b = 0; b < n; b++)
            {
                for (int f = 0; f < frames; f++) col[f] = Math.Exp(mel[f, b]);
                Array.Sort(col);
                noise[b] = col[(int)(parts[2] / 100 * (frames - 1))];
            }
        }
        else
        {
            int m = 0;
            for (int f = 0; f < Math.Min(frames, mask.Frames); f++)
            {
                if (mask.IsSpeech[f]) continue;
                m++;
                for (int b = 0; b < n; b++) noise[b] += Math.Exp(mel[f, b]);
            }
            for (int b = 0; b < n; b++) noise[b] /= Math.Max(1, m);
        }
        var data = new float[frames * k];
        var lm = new double[n];
        for (int f = 0; f < frames; f++)
        {
            for (int b = 0; b < n; b++)
            {
                double e = Math.Exp(mel[f, b]);
                lm[b] = Math.Log(Math.Max(Math.Max(e - alpha * noise[b], beta * e), 1e-10));
            }
            for (int c = 0; c < k; c++)
            {
                double scale = c == 0 ? Math.Sqrt(1.0 / n) : Math.Sqrt(2.0 / n), sum = 0;
                for (int i = 0; i < n; i++) sum += scale * Math.Cos(Math.PI * c * (2 * i + 1) / (2.0 * n)) * lm[i];
                data[f * k + c] = (float)sum;
            }
        }
        return new FeatureMatrix(data, frames, k, mel.HopSeconds, mel.FrameSeconds, mel.FirstCentreSeconds);
    }
}
