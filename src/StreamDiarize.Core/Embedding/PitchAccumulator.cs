// The log-F0 statistics of one window, shared by the offline embedder and the live diarizer so both compute them alike.
namespace StreamDiarize.Core.Embedding;

/// <summary>Accumulates log F0 over a window's voiced speech frames; gives (mean, deviation) or NaN when too few.</summary>
public struct PitchAccumulator
{
    private double _sum;
    private double _squares;
    private int _voiced;

    /// <summary>ln F0 of a voiced frame whose autocorrelation peak is <paramref name="lagSamples"/> at <paramref name="sampleRateHz"/>.</summary>
    public static double LogF0(double lagSamples, double sampleRateHz) => Math.Log(sampleRateHz / lagSamples);

    /// <summary>Adds one voiced frame whose autocorrelation peak is <paramref name="lagSamples"/> at <paramref name="sampleRateHz"/>.</summary>
    public void Add(double lagSamples, double sampleRateHz)
    {
        double f = LogF0(lagSamples, sampleRateHz);
        _sum += f;
        _squares += f * f;
        _voiced++;
    }

    /// <summary>Writes mean and deviation (population) into <paramref name="pitch"/>[0..2], or NaN, NaN below <paramref name="minVoicedFrames"/>.</summary>
    public readonly void WriteTo(Span<double> pitch, int minVoicedFrames)
    {
        if (_voiced < minVoicedFrames)
        {
            pitch[..2].Fill(double.NaN);
            return;
        }
        double mean = _sum / _voiced;
        pitch[0] = mean;
        pitch[1] = Math.Sqrt(Math.Max(0, _squares / _voiced - mean * mean));
    }
}
