// Reduces a recording to one min/max pair per pixel column, so drawing an hour costs as much as drawing a second.
namespace StreamDiarize.Visual;

public static class Waveform
{
    /// <summary>
    /// Splits <paramref name="samples"/> into <paramref name="columns"/> equal runs and returns each run's minimum and
    /// maximum; with fewer samples than columns, one column per sample.
    /// </summary>
    public static (float[] Min, float[] Max) MinMaxColumns(ReadOnlySpan<float> samples, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        int n = Math.Min(columns, samples.Length);
        var min = new float[n];
        var max = new float[n];
        for (int c = 0; c < n; c++)
        {
            int from = (int)((long)c * samples.Length / n);
            int to = (int)((long)(c + 1) * samples.Length / n);
            float lo = float.MaxValue, hi = float.MinValue;
            foreach (var s in samples[from..to])
            {
                lo = Math.Min(lo, s);
                hi = Math.Max(hi, s);
            }
            min[c] = lo;
            max[c] = hi;
        }
        return (min, max);
    }
}
