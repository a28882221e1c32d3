// A file's features: one row per frame, stored row-major in a single array, with the frame timing.
namespace StreamDiarize.Core.Features;

/// <summary>
/// Frames x Dims features. Frame i is the STFT window centred on sample i * hop (or starting there, when the
/// options do not centre frames); following the seed's
/// arange_frames, it labels the span [i * HopSeconds, (i + 1) * HopSeconds).
/// </summary>
public sealed class FeatureMatrix
{
    public FeatureMatrix(float[] data, int frames, int dims, double hopSeconds, double frameSeconds, double firstCentreSeconds = 0)
    {
        if (frames < 0 || dims < 0 || (long)frames * dims != data.Length)
        {
            throw new ArgumentException($"Data has {data.Length} values, not frames ({frames}) x dims ({dims}).", nameof(data));
        }
        Data = data;
        Frames = frames;
        Dims = dims;
        HopSeconds = hopSeconds;
        FrameSeconds = frameSeconds;
        FirstCentreSeconds = firstCentreSeconds;
    }

    /// <summary>Row-major: value (frame, dim) is at frame * Dims + dim.</summary>
    public float[] Data { get; }

    public int Frames { get; }

    public int Dims { get; }

    /// <summary>Time between consecutive frames (the stride).</summary>
    public double HopSeconds { get; }

    /// <summary>Length of the analysis window (the frame, before zero-padding to Nfft).</summary>
    public double FrameSeconds { get; }

    /// <summary>Centre of frame 0's window: 0 for centred frames, half a frame when frames start at sample 0.</summary>
    public double FirstCentreSeconds { get; }

    public float this[int frame, int dim] => Data[frame * Dims + dim];

    public Span<float> Row(int frame)
    {
        if ((uint)frame >= (uint)Frames)
        {
            throw new ArgumentOutOfRangeException(nameof(frame), frame, $"Frame must be 0 to {Frames - 1}.");
        }
        return Data.AsSpan(frame * Dims, Dims);
    }

    /// <summary>Centre of frame <paramref name="frame"/>'s analysis window.</summary>
    public double FrameCentreSeconds(int frame) => FirstCentreSeconds + frame * HopSeconds;

    /// <summary>Start of the span frame <paramref name="frame"/> labels, as the seed's arange_frames: i * stride.</summary>
    public double FrameStartSeconds(int frame) => frame * HopSeconds;
}
