// The voice statistics a profile keeps, and their byte form for a store.
using System.Buffers.Binary;
using StreamDiarize.Core.Clustering;

namespace StreamDiarize.Core.Speakers;

/// <summary>A speaker's voice as one representation sees it; adding two models of one voice gives the model of both.</summary>
public abstract record VoiceModel
{
    /// <summary>The model of this voice and <paramref name="other"/>'s (more enrollment audio).</summary>
    public abstract VoiceModel Combine(VoiceModel other);
}

/// <summary>The built-in kind: sufficient statistics of one full-covariance Gaussian of the speech frames' MFCCs (and log F0).</summary>
public sealed record GaussianVoiceModel(GaussianStats Stats) : VoiceModel
{
    public override VoiceModel Combine(VoiceModel other)
    {
        var o = other as GaussianVoiceModel ?? throw new ArgumentException("A Gaussian voice model combines only with another.", nameof(other));
        if (o.Stats.Dims != Stats.Dims)
        {
            throw new ArgumentException($"The models have {Stats.Dims} and {o.Stats.Dims} dimensions.", nameof(other));
        }
        var sum = Stats.Clone();
        sum.Add(o.Stats);
        return new GaussianVoiceModel(sum);
    }
}

/// <summary>A neural embedder's kind: the sum of unit-length window embeddings and how many there were (the mean is the direction).</summary>
public sealed record EmbeddingVoiceModel(float[] Sum, int Windows) : VoiceModel
{
    public override VoiceModel Combine(VoiceModel other)
    {
        var o = other as EmbeddingVoiceModel ?? throw new ArgumentException("An embedding voice model combines only with another.", nameof(other));
        if (o.Sum.Length != Sum.Length)
        {
            throw new ArgumentException($"The embeddings have {Sum.Length} and {o.Sum.Length} dimensions.", nameof(other));
        }
        var sum = (float[])Sum.Clone();
        for (int i = 0; i < sum.Length; i++)
        {
            sum[i] += o.Sum[i];
        }
        return new EmbeddingVoiceModel(sum, Windows + o.Windows);
    }
}

/// <summary>
/// Little-endian bytes of a voice model, versioned by their first byte, so a store keeps them as an opaque blob and
/// a damaged blob is refused instead of read as numbers.
/// </summary>
public static class VoiceModelCodec
{
    private const byte GaussianV1 = 1;
    private const byte EmbeddingV1 = 2;

    public static byte[] Encode(VoiceModel model) => model switch
    {
        GaussianVoiceModel g => EncodeGaussian(g.Stats),
        EmbeddingVoiceModel e => EncodeEmbedding(e),
        _ => throw new ArgumentException($"No byte form for {model.GetType().Name}.", nameof(model)),
    };

    /// <exception cref="FormatException">The bytes are not a model this version wrote.</exception>
    public static VoiceModel Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5)
        {
            throw new FormatException($"A voice model of {bytes.Length} bytes is too short.");
        }
        int dims = BinaryPrimitives.ReadInt32LittleEndian(bytes[1..]);
        var body = bytes[5..];
        switch (bytes[0])
        {
            case GaussianV1:
            {
                if (dims is < 1 or > 256 || body.Length != 8 * (4 + dims + dims * dims))
                {
                    throw new FormatException($"A Gaussian voice model of {dims} dimensions cannot be {bytes.Length} bytes long.");
                }
                var stats = new GaussianStats(dims);
                var values = new double[4 + dims + dims * dims];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadDoubleLittleEndian(body[(8 * i)..]);
                    if (!double.IsFinite(values[i]))
                    {
                        throw new FormatException("A Gaussian voice model holds a value that is not finite.");
                    }
                }
                stats.Restore(values[0], values.AsSpan(4, dims), values.AsSpan(4 + dims, dims * dims), values[1], values[2], values[3]);
                return new GaussianVoiceModel(stats);
            }
            case EmbeddingV1:
            {
                if (dims is < 1 or > 65536 || body.Length != 4 + 4 * dims)
                {
                    throw new FormatException($"An embedding voice model of {dims} dimensions cannot be {bytes.Length} bytes long.");
                }
                int windows = BinaryPrimitives.ReadInt32LittleEndian(body);
                var sum = new float[dims];
                for (int i = 0; i < dims; i++)
                {
                    sum[i] = BinaryPrimitives.ReadSingleLittleEndian(body[(4 + 4 * i)..]);
                    if (!float.IsFinite(sum[i]))
                    {
                        throw new FormatException("An embedding voice model holds a value that is not finite.");
                    }
                }
                return new EmbeddingVoiceModel(sum, windows);
            }
            default:
                throw new FormatException($"Voice model format {bytes[0]} is unknown to this version.");
        }
    }

    private static byte[] EncodeGaussian(GaussianStats s)
    {
        int d = s.Dims;
        var bytes = new byte[5 + 8 * (4 + d + d * d)];
        bytes[0] = GaussianV1;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), d);
        int at = 5;
        void Put(double v)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(at), v);
            at += 8;
        }
        Put(s.Count);
        Put(s.AuxCount);
        Put(s.AuxSum);
        Put(s.AuxSquares);
        foreach (double v in s.Sum)
        {
            Put(v);
        }
        foreach (double v in s.Scatter)
        {
            Put(v);
        }
        return bytes;
    }

    private static byte[] EncodeEmbedding(EmbeddingVoiceModel e)
    {
        var bytes = new byte[5 + 4 + 4 * e.Sum.Length];
        bytes[0] = EmbeddingV1;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), e.Sum.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(5), e.Windows);
        for (int i = 0; i < e.Sum.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(9 + 4 * i), e.Sum[i]);
        }
        return bytes;
    }
}
