// Embeddings per second of OnnxSpeakerEmbedder on a ~6M-parameter Conv1d + stats-pooling model with fixed random
// weights (built here, nothing downloaded): one stream calling Embed in turn, then concurrent streams through
// OnnxBatchScheduler at several batch sizes. With `sessions N SECONDS [pool|own|both]`: N live sessions (the whole pipeline, as
// fast as it runs) on one micro-batched model, their diarizers on pool threads or on threads of their own, with the
// thread pool's thread count, queue length and dispatch delay sampled throughout. Prints markdown tables for docs/BENCHMARKS.md.
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Onnx;
using StreamDiarize.Onnx;

const int WindowSamples = 24000; // 1.5 s, a typical diarization window
var dir = Path.Combine(Path.GetTempPath(), "streamdiarize-bench-onnx");
Directory.CreateDirectory(dir);
var path = Path.Combine(dir, "conv6m.onnx");
long parameters = ConvModel.Write(path);
if (args.Length > 0 && args[0] == "sessions")
{
    int sessions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
    double clipSeconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    string mode = args.Length > 3 ? args[3] : "both";
    bool[] modes = mode switch
    {
        "pool" => [false],
        "own" => [true],
        "both" => [false, true],
        _ => throw new ArgumentException($"mode '{mode}' is invalid: use pool (diarizers on pool threads, as before), own (a thread each, the default) or both"),
    };
    await LiveSessions.RunAsync(path, sessions, clipSeconds, modes);
    return;
}
double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 4.0;

using var embedder = new OnnxSpeakerEmbedder(path);
var window = new float[WindowSamples];
var rng = new Random(1);
for (int i = 0; i < window.Length; i++)
{
    window[i] = (float)(0.3 * Math.Sin(i * 0.05) + 0.05 * (rng.NextDouble() - 0.5));
}
var output = new float[embedder.Dimension];
embedder.Embed(window, output); // warm-up

var rows = new List<string>();
{
    var sw = Stopwatch.StartNew();
    int n = 0;
    while (sw.Elapsed.TotalSeconds < seconds)
    {
        embedder.Embed(window, output);
        n++;
    }
    rows.Add($"| 1 stream, Embed one by one | 1 | {n / sw.Elapsed.TotalSeconds:F1} | {sw.Elapsed.TotalMilliseconds / n:F1} |");
}
foreach (int batch in new[] { 8, 16, 32 })
{
    await using var scheduler = new OnnxBatchScheduler(embedder, new OnnxBatchSchedulerOptions { MaxBatch = batch, MaxWaitMs = 5 });
    long runs0 = embedder.RunCount;
    var sw = Stopwatch.StartNew();
    int total = 0;
    var streams = Enumerable.Range(0, batch).Select(_ => Task.Run(async () =>
    {
        int n = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            await scheduler.EmbedAsync(window);
            n++;
        }
        Interlocked.Add(ref total, n);
    })).ToArray();
    await Task.WhenAll(streams);
    double mean = (double)total / (embedder.RunCount - runs0);
    rows.Add($"| {batch} streams, OnnxBatchScheduler MaxBatch {batch} | {mean:F1} | {total / sw.Elapsed.TotalSeconds:F1} | {sw.Elapsed.TotalMilliseconds * batch / total:F1} |");
}

Console.WriteLine($"Model: Conv1d 80->512 (k5) + 6 x Conv1d 512->512 (k3) + ReLU, mean+RMS pooling, 1024->256; {parameters / 1e6:F2} M parameters. Window {WindowSamples / 16000.0:F1} s (148 frames). IntraOpThreads 1, {Environment.ProcessorCount} cores.");
Console.WriteLine();
Console.WriteLine("| mode | mean windows per run | embeddings/s | ms per call as each stream sees it |");
Console.WriteLine("| --- | --- | --- | --- |");
rows.ForEach(Console.WriteLine);

internal static class ConvModel
{
    public static long Write(string path)
    {
        var rng = new Random(42);
        long count = 0;
        var g = new GraphProto { Name = "conv6m" };
        g.Input.Add(Value("feats", "B", "T", 80));
        g.Node.Add(Node("Transpose", ["feats"], ["x0"], Ints("perm", 0, 2, 1)));
        string x = "x0";
        int channels = 80;
        int[] kernels = [5, 3, 3, 3, 3, 3, 3];
        for (int l = 0; l < kernels.Length; l++)
        {
            int k = kernels[l];
            count += Init(g, $"w{l}", rng, Math.Sqrt(2.0 / (channels * k)), 512, channels, k);
            count += Init(g, $"b{l}", rng, 0.01, 512);
            g.Node.Add(Node("Conv", [x, $"w{l}", $"b{l}"], [$"c{l}"], Ints("pads", k / 2, k / 2)));
            g.Node.Add(Node("Relu", [$"c{l}"], [$"r{l}"]));
            x = $"r{l}";
            channels = 512;
        }
        g.Node.Add(Node("ReduceMean", [x], ["mean"], Ints("axes", 2), Int("keepdims", 0)));
        g.Node.Add(Node("Mul", [x, x], ["sq"]));
        g.Node.Add(Node("ReduceMean", ["sq"], ["msq"], Ints("axes", 2), Int("keepdims", 0)));
        g.Node.Add(Node("Sqrt", ["msq"], ["rms"]));
        g.Node.Add(Node("Concat", ["mean", "rms"], ["stats"], Int("axis", 1)));
        count += Init(g, "proj", rng, Math.Sqrt(1.0 / 1024), 1024, 256);
        g.Node.Add(Node("MatMul", ["stats", "proj"], ["embs"]));
        g.Output.Add(Value("embs", "B", 256));
        var model = new ModelProto { IrVersion = 8, ProducerName = "StreamDiarize.Bench.Onnx", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        foreach (var (k, v) in new[] { ("framework", "wespeaker"), ("sample_rate", "16000"), ("normalize_samples", "0"), ("output_dim", "256") })
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        }
        File.WriteAllBytes(path, model.ToByteArray());
        return count;
    }

    private static long Init(GraphProto g, string name, Random rng, double scale, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.AddRange(dims);
        long n = dims.Aggregate(1L, (a, b) => a * b);
        for (long i = 0; i < n; i++)
        {
            t.FloatData.Add((float)((rng.NextDouble() * 2 - 1) * scale));
        }
        g.Initializer.Add(t);
        return n;
    }

    private static ValueInfoProto Value(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = outputs[0] };
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

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
