// Small ONNX models with fixed weights, built in the test from ONNX protobuf types, so no test downloads a model.
using Google.Protobuf;
using Onnx;

namespace StreamDiarize.Onnx.Tests;

internal static class TestModels
{
    public const int FloatType = 1;
    public const int Int64Type = 7;

    /// <summary>Deterministic weights W[bins, dim] in [-0.5, 0.5).</summary>
    public static float[] Weights(int bins, int dim)
    {
        var w = new float[bins * dim];
        var rng = new Random(7);
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)(rng.NextDouble() - 0.5);
        }
        return w;
    }

    /// <summary>
    /// An embedder: features -> square -> mean over frames -> MatMul W -> embs [B, dim]. Squaring first keeps the
    /// output informative under mean normalisation (a plain mean of centred features would be zero).
    /// Layout FramesByBins: input "feats" [B, T, bins]; BinsByFrames: NeMo-like "audio_signal" [B, bins, T] and "length" [B],
    /// with an extra "logits" output, so the embedder has to pick "embs".
    /// </summary>
    public static byte[] SquareMeanEmbedder(
        int bins = 80, int dim = 16, bool binsByFrames = false, IDictionary<string, string>? metadata = null,
        string inputName = "feats", int weightRows = -1)
    {
        weightRows = weightRows < 0 ? bins : weightRows;
        var g = new GraphProto { Name = "square_mean" };
        if (binsByFrames)
        {
            g.Input.Add(Tensor("audio_signal", FloatType, "B", bins, "T"));
            g.Input.Add(Tensor("length", Int64Type, "B"));
        }
        else
        {
            g.Input.Add(Tensor(inputName, FloatType, "B", "T", bins));
        }
        string x = binsByFrames ? "audio_signal" : inputName;
        g.Initializer.Add(FloatInit("W", Weights(weightRows, dim), weightRows, dim));
        g.Node.Add(Node("Mul", [x, x], ["sq"]));
        g.Node.Add(Node("ReduceMean", ["sq"], ["pooled"], Ints("axes", binsByFrames ? 2 : 1), Int("keepdims", 0)));
        g.Node.Add(Node("MatMul", ["pooled", "W"], ["embs"]));
        g.Output.Add(Tensor("embs", FloatType, "B", dim));
        if (binsByFrames)
        {
            g.Node.Add(Node("Identity", ["embs"], ["logits"]));
            g.Output.Add(Tensor("logits", FloatType, "B", dim));
        }
        return Model(g, metadata ?? WeSpeakerMetadata(dim));
    }

    public static Dictionary<string, string> WeSpeakerMetadata(int dim) => new()
    {
        ["framework"] = "wespeaker",
        ["sample_rate"] = "16000",
        ["normalize_samples"] = "0",
        ["output_dim"] = dim.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["language"] = "English",
    };

    /// <summary>An embedder whose output keeps the frame axis: feats [B, T, 80] -> embs [B, T, 80].</summary>
    public static byte[] FrameWiseOutput()
    {
        var g = new GraphProto { Name = "framewise" };
        g.Input.Add(Tensor("feats", FloatType, "B", "T", 80));
        g.Node.Add(Node("Identity", ["feats"], ["embs"]));
        g.Output.Add(Tensor("embs", FloatType, "B", "T", 80));
        return Model(g, WeSpeakerMetadata(80));
    }

    /// <summary>A model taking one frame, not a sequence: x [B, 80] -> embs [B, 16].</summary>
    public static byte[] RankTwoInput()
    {
        var g = new GraphProto { Name = "rank2" };
        g.Input.Add(Tensor("x", FloatType, "B", 80));
        g.Initializer.Add(FloatInit("W", Weights(80, 16), 80, 16));
        g.Node.Add(Node("MatMul", ["x", "W"], ["embs"]));
        g.Output.Add(Tensor("embs", FloatType, "B", 16));
        return Model(g, WeSpeakerMetadata(16));
    }

    /// <summary>
    /// A Silero-v5-shaped VAD: output = sigmoid(K * mean(input) + C * mean(state)), stateN = state + 1, sr unused.
    /// The state term makes the output depend on how many chunks came since the last reset.
    /// </summary>
    public static byte[] CountingVad(int stateWidth = 128)
    {
        var g = new GraphProto { Name = "vad" };
        g.Input.Add(Tensor("input", FloatType, 1, "N"));
        g.Input.Add(Tensor("state", FloatType, 2, 1, stateWidth));
        g.Input.Add(Tensor("sr", Int64Type));
        g.Initializer.Add(FloatInit("K", [VadK], 1));
        g.Initializer.Add(FloatInit("C", [VadC], 1));
        g.Initializer.Add(FloatInit("one", [1f], 1));
        g.Initializer.Add(new TensorProto { Name = "shape11", DataType = Int64Type, Dims = { 2 }, Int64Data = { 1, 1 } });
        g.Node.Add(Node("ReduceMean", ["input"], ["m"], Ints("axes", 1), Int("keepdims", 1)));
        g.Node.Add(Node("Mul", ["m", "K"], ["km"]));
        g.Node.Add(Node("ReduceMean", ["state"], ["s3"], Ints("axes", 0, 1, 2), Int("keepdims", 1)));
        g.Node.Add(Node("Reshape", ["s3", "shape11"], ["s"]));
        g.Node.Add(Node("Mul", ["s", "C"], ["cs"]));
        g.Node.Add(Node("Add", ["km", "cs"], ["z"]));
        g.Node.Add(Node("Sigmoid", ["z"], ["output"]));
        g.Node.Add(Node("Add", ["state", "one"], ["stateN"]));
        g.Output.Add(Tensor("output", FloatType, 1, 1));
        g.Output.Add(Tensor("stateN", FloatType, 2, 1, stateWidth));
        return Model(g, new Dictionary<string, string>());
    }

    public const float VadK = 4f;
    public const float VadC = 0.1f;

    public static string Write(string dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Model(GraphProto graph, IDictionary<string, string> metadata)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "StreamDiarize.Onnx.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        foreach (var (k, v) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        }
        return model.ToByteArray();
    }

    private static ValueInfoProto Tensor(string name, int elemType, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string s
                ? new TensorShapeProto.Types.Dimension { DimParam = s }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } },
        };
    }

    private static TensorProto FloatInit(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = FloatType };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
