// Window vectors handed back when windows are folded, so a long session's steady state allocates none.
namespace StreamDiarize.Core.Streaming;

public sealed class VectorPool(int dims, int capacity)
{
    private readonly Stack<double[]> _free = new();

    public int Dims => dims;

    /// <summary>A zeroed vector of <see cref="Dims"/> values.</summary>
    public double[] Rent()
    {
        if (_free.TryPop(out var vector))
        {
            Array.Clear(vector);
            return vector;
        }
        return new double[dims];
    }

    public void Return(double[] vector)
    {
        // Bounded: at most the vectors of the windows folded at once, which the next windows take back.
        if (_free.Count < capacity)
        {
            _free.Push(vector);
        }
    }
}
