// Push-mode resampling to the pipeline's rate with NAudio's WDL resampler, fed block by block.
using NAudio.Dsp;

namespace StreamDiarize.Streaming;

internal sealed class StreamingResampler
{
    private readonly WdlResampler _resampler = new();
    private readonly float[] _output;

    public StreamingResampler(int fromRateHz, int toRateHz, int maxInputSamples)
    {
        // The same settings NAudio's WdlResamplingSampleProvider uses, in input-driven mode.
        _resampler.SetMode(true, 2, false);
        _resampler.SetFilterParms();
        _resampler.SetFeedMode(true);
        _resampler.SetRates(fromRateHz, toRateHz);
        _output = new float[(int)Math.Ceiling((double)maxInputSamples * toRateHz / fromRateHz) + 64];
    }

    /// <summary>Resamples <paramref name="input"/>; the returned span is valid until the next call.</summary>
    public ReadOnlySpan<float> Process(ReadOnlySpan<float> input)
    {
        int offered = _resampler.ResamplePrepare(input.Length, 1, out Span<float> inBuffer);
        int take = Math.Min(offered, input.Length);
        input[..take].CopyTo(inBuffer);
        int produced = _resampler.ResampleOut(_output, take, _output.Length, 1);
        return _output.AsSpan(0, produced);
    }
}
