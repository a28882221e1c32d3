// The analysis window applied to each frame before the FFT; periodic forms, as scipy's fftbins=True gives.
namespace StreamDiarize.Core.Features;

public enum WindowType
{
    /// <summary>Periodic Hann, 0.5 - 0.5 cos(2 pi n / N): the seed's (librosa's) window, the default.</summary>
    Hann,

    /// <summary>Periodic Hamming, 0.54 - 0.46 cos(2 pi n / N): the research pipeline's window (numpy hamming(N+1)[:-1]).</summary>
    Hamming,
}
