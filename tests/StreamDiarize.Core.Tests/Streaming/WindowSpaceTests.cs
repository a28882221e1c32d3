// The live comparison space: z-scored with the snapshot's statistics, pitch weighted, unit length.
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class WindowSpaceTests
{
    [Fact]
    public void Vectors_are_z_scored_with_the_snapshot_and_scaled_to_unit_length()
    {
        var space = new WindowSpace(statsDims: 2, pitchDims: 0, zScore: true, pitchWeight: 2, epsilon: 0);
        space.Add([1, 10]);
        space.Add([3, 30]);
        space.TakeSnapshot();
        var output = new double[2];

        space.Normalise([3, 10], output);
        Assert.Equal(1 / Math.Sqrt(2), output[0], 12);
        Assert.Equal(-1 / Math.Sqrt(2), output[1], 12);

        // Later windows change nothing until the next snapshot.
        space.Add([100, 100]);
        space.Normalise([3, 10], output);
        Assert.Equal(1 / Math.Sqrt(2), output[0], 12);
    }

    [Fact]
    public void Pitch_is_weighted_and_a_missing_pitch_sits_at_the_average()
    {
        var space = new WindowSpace(statsDims: 1, pitchDims: 2, zScore: true, pitchWeight: 2, epsilon: 0);
        space.Add([0, 0, 0]);
        space.Add([2, 2, 2]);
        space.Add([1, double.NaN, double.NaN]);
        space.TakeSnapshot();
        var output = new double[3];

        space.Normalise([2, 2, double.NaN], output);
        // z = [1.22, 1 * 2, 0]: the first dimension's deviation is over three windows, the pitch's over two.
        double z0 = 1 / Math.Sqrt(2.0 / 3);
        double norm = Math.Sqrt(z0 * z0 + 4);
        Assert.Equal(z0 / norm, output[0], 12);
        Assert.Equal(2 / norm, output[1], 12);
        Assert.Equal(0, output[2]);
    }

    [Fact]
    public void A_speaker_model_without_z_score_is_only_scaled_to_unit_length()
    {
        var space = new WindowSpace(statsDims: 2, pitchDims: 0, zScore: false, pitchWeight: 0, epsilon: 0);
        space.Add([5, 5]);
        space.TakeSnapshot();
        var output = new double[2];

        space.Normalise([3, 4], output);
        Assert.Equal([0.6, 0.8], output);
    }
}
