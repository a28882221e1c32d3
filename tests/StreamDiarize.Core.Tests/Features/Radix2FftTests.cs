// The hand-written FFT of the voicing hot path gives MathNet's transform, to rounding.
using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Tests.Features;

public sealed class Radix2FftTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(64)]
    [InlineData(512)]
    public void It_matches_MathNet_forward_with_the_Matlab_convention(int size)
    {
        var random = new Random(size);
        var ours = new Complex[size];
        for (int i = 0; i < size; i++)
        {
            ours[i] = new Complex(random.NextDouble() - 0.5, random.NextDouble() - 0.5);
        }
        var theirs = (Complex[])ours.Clone();
        new Radix2Fft(size).Forward(ours);
        Fourier.Forward(theirs, FourierOptions.Matlab);
        for (int i = 0; i < size; i++)
        {
            Assert.True((ours[i] - theirs[i]).Magnitude < 1e-9, $"bin {i}: {ours[i]} vs {theirs[i]}");
        }
    }

    [Fact]
    public void A_size_that_is_not_a_power_of_two_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Radix2Fft(48));
    }

    [Fact]
    public void A_transform_allocates_nothing()
    {
        var fft = new Radix2Fft(512);
        var data = new Complex[512];
        fft.Forward(data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            fft.Forward(data);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
