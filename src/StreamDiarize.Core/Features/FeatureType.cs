// Which per-frame vector the featurizer produces; names follow the seed's STTFeaturizer feature_type.
namespace StreamDiarize.Core.Features;

public enum FeatureType
{
    /// <summary>Power spectrum |X|^2, all Nfft/2+1 bins.</summary>
    Spectrogram,

    /// <summary>DCT-II (orthonormal) of the log-mel spectrum, first NumMfcc coefficients.</summary>
    Mfcc,

    /// <summary>Natural log of the Slaney mel power spectrum, NumFeatureBins bands.</summary>
    LogMelSpectrogram,
}
