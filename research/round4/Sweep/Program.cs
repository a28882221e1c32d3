// Research round 4: the ΔBIC diarizer over the real-voice development set and the AMI clips, one line per setting.
using System.Globalization;
using StreamDiarize.Audio;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string shared = args.Length > 0 ? args[0] : "../../../../shared/data";
string grid = args.Length > 1 ? args[1] : "DistanceThreshold=2";
var files = Directory.GetFiles(Path.Combine(shared, "real-dev"), "*.wav").Order().ToList();
files.AddRange(Directory.GetFiles(Path.Combine(shared, "ami"), "*.wav").Order());
var stages = new DefaultDiarizerOptions();
// SEG="MergeLambda=2": segment clustering settings for the live runs.
if (Environment.GetEnvironmentVariable("SEG") is { } segSet)
{
    object so = stages.Segments with { };
    foreach (var kv in segSet.Split(';', StringSplitOptions.RemoveEmptyEntries))
    {
        var p = so.GetType().GetProperty(kv.Split('=')[0])!;
        var v = double.Parse(kv.Split('=')[1]);
        p.SetValue(so, p.PropertyType == typeof(int) ? (object)(int)v : p.PropertyType == typeof(bool) ? v != 0 : v);
    }
    stages = stages with { Segments = (StreamDiarize.Core.Clustering.SegmentClusteringOptions)so };
}
// SPEECH="GapFillSeconds=1;PauseSeconds=0.3": speech detector settings, offline and live.
if (Environment.GetEnvironmentVariable("SPEECH") is { } speechSet)
{
    object sp = stages.Speech with { };
    foreach (var kv in speechSet.Split(';', StringSplitOptions.RemoveEmptyEntries))
    {
        var p = sp.GetType().GetProperty(kv.Split('=')[0])!;
        var v = double.Parse(kv.Split('=')[1]);
        p.SetValue(sp, p.PropertyType == typeof(int) ? (object)(int)v : p.PropertyType == typeof(bool) ? v != 0 : v);
    }
    stages = stages with { Speech = (StreamDiarize.Core.Speech.EnergySpeechDetectorOptions)sp };
}
// MELMAX=7000: the mel filters' top (round 22).
if (Environment.GetEnvironmentVariable("MELMAX") is { } melMax)
{
    stages = stages with { Embedding = stages.Embedding with { Features = stages.Embedding.Features with { MelMaxHz = double.Parse(melMax) } } };
}
var speech = new StreamDiarize.Core.Speech.EnergySpeechDetector(stages.Speech);
var embedder = new StreamDiarize.Core.Embedding.WindowStatsEmbedder(stages.Embedding);
var analysed = Environment.GetEnvironmentVariable("REPR") is not null || Environment.GetEnvironmentVariable("LIVE") is not null || Environment.GetEnvironmentVariable("MASKDIFF") is not null ? [] : files.Select(f =>
{
    var clip = AudioLoader.LoadWav(f);
    var mask = speech.Detect(clip.Samples);
    var mfcc = Environment.GetEnvironmentVariable("SPECSUB") is { } ss ? SpecSub.Mfcc(clip.Samples, mask, stages.Embedding, ss) : embedder.Features(clip.Samples);
    var rttm = Path.ChangeExtension(f, ".rttm");
    var reference = Rttm.ReadFile(rttm).Values.First();
    return (clip.Id, clip.DurationSeconds, mask, mfcc, reference, Ami: f.Contains("/ami/"));
}).ToList();

if (Environment.GetEnvironmentVariable("DSTAT") is not null)
{
    foreach (var a in analysed) DStat.Run(a.Id, a.mask, a.mfcc, new StreamDiarize.Core.Clustering.SegmentClusteringOptions());
    return;
}
// NAP="K|train,ids": remove the top K within-speaker directions, learnt on the named files (round 12).
if (Environment.GetEnvironmentVariable("NAP") is { } napSpec && analysed.Count > 0)
{
    Nap.Apply(analysed, napSpec);
}
// grid: "Lambda=0.5,1,2;MaxSegmentSeconds=1.5,2" -> every combination
var axes = grid.Split(';').Select(a => (Name: a.Split('=')[0], Values: a.Split('=')[1].Split(',').Select(double.Parse).ToArray())).ToList();
IEnumerable<Dictionary<string, double>> Combos(int k)
{
    if (k == axes.Count) { yield return new(); yield break; }
    foreach (var rest in Combos(k + 1))
    {
        foreach (var v in axes[k].Values) { var c = new Dictionary<string, double>(rest) { [axes[k].Name] = v }; yield return c; }
    }
}
if (Environment.GetEnvironmentVariable("MASKDIFF") is { } la)
{
    foreach (var f in files.Where(f => !f.Contains("/ami/") || Environment.GetEnvironmentVariable("MASKAMI") == "1"))
    {
        var c = AudioLoader.LoadWav(f);
        MaskDiff.Run(c.Id, c.Samples, Rttm.ReadFile(Path.ChangeExtension(f, ".rttm")).Values.First(), double.Parse(la), stages);
    }
    return;
}
if (Environment.GetEnvironmentVariable("LIVE") is { } live)
{
    var online = new StreamDiarize.Core.Streaming.OnlineDiarizerOptions();
    foreach (var kv in live.Split(";", StringSplitOptions.RemoveEmptyEntries).Where(x => x.Contains("=")))
    {
        var p = typeof(StreamDiarize.Core.Streaming.OnlineDiarizerOptions).GetProperty(kv.Split('=')[0])!;
        var v = double.Parse(kv.Split('=')[1]);
        p.SetValue(online, p.PropertyType == typeof(int) ? (object)(int)v : p.PropertyType == typeof(bool) ? v != 0 : v);
    }
    Live.Run(files.Where(f => (!f.Contains("/ami/") || live.Contains("ami")) && f.Contains(Environment.GetEnvironmentVariable("ONLY") ?? "")).Select(f => { var c = AudioLoader.LoadWav(f); return (c.Id, c.Samples, Rttm.ReadFile(Path.ChangeExtension(f, ".rttm")).Values.First()); }), online, stages);
    return;
}
if (Environment.GetEnvironmentVariable("REPR") is { } repr)
{
    // Whole product pipeline (DefaultDiarizer) with a representation, per file and in total.
    var d = new DefaultDiarizer(stages with { Representation = Enum.Parse<SpeakerRepresentation>(repr) });
    var rs = new List<DerResult>(); var am = new List<DerResult>();
    foreach (var f in files)
    {
        var c = AudioLoader.LoadWav(f);
        var res = d.Diarize(c);
        var refs = Rttm.ReadFile(Path.ChangeExtension(f, ".rttm")).Values.First();
        var der = DerScorer.Score(c.Id, refs, res.Segments, new DerOptions { CollarSeconds = 0.25 });
        (f.Contains("/ami/") ? am : rs).Add(der);
        if (Environment.GetEnvironmentVariable("VERBOSE") == "1") Console.WriteLine($"  {c.Id,-24} {der.Der * 100,6:F2} conf {der.ConfusionSeconds / der.ScoredSeconds * 100,5:F2} spk {res.SpeakerCount}/{refs.Select(s => s.Speaker).Distinct().Count()}");
    }
    Console.WriteLine($"{repr}: real {(rs.Count > 0 ? DerTotal.Of(rs).Der * 100 : double.NaN):F2} (conf {(rs.Count > 0 ? DerTotal.Of(rs).ConfusionSeconds / DerTotal.Of(rs).ScoredSeconds * 100 : double.NaN):F2})  ami {(am.Count > 0 ? DerTotal.Of(am).Der * 100 : double.NaN):F2}");
    return;
}
if (Environment.GetEnvironmentVariable("SADSTAT") is not null)
{
    // Per file: reference speech, overlap, speech the mask misses and mask speech outside the reference (10 ms frames, no collar).
    foreach (var a in analysed)
    {
        int n = a.mask.Frames; var cnt = new int[n];
        foreach (var s in a.reference) for (int t = (int)(s.StartSeconds / 0.01); t < Math.Min(n, (int)(s.EndSeconds / 0.01)); t++) cnt[t]++;
        int sp = 0, ov = 0, miss = 0, fa = 0, ovMissed = 0;
        for (int t = 0; t < n; t++)
        {
            if (cnt[t] > 0) sp++; if (cnt[t] > 1) ov++;
            if (cnt[t] > 0 && !a.mask.IsSpeech[t]) { miss++; if (cnt[t] > 1) ovMissed++; }
            if (cnt[t] == 0 && a.mask.IsSpeech[t]) fa++;
        }
        Console.WriteLine($"{a.Id,-16} speech {sp / 100.0,6:F1}s overlap {ov / 100.0,5:F1}s mask-miss {miss / 100.0,5:F1}s mask-fa {fa / 100.0,5:F1}s");
    }
    return;
}
if (Environment.GetEnvironmentVariable("PIECES") is { } piecesSpec)
{
    Pieces.Run(analysed.Where(a => a.Id.Contains(Environment.GetEnvironmentVariable("ONLY") ?? "")).ToList(), double.Parse(piecesSpec.Split(',')[0]), double.Parse(piecesSpec.Split(',')[1]));
    return;
}
if (Environment.GetEnvironmentVariable("COMPOSE") is { } composeSpec)
{
    var co = new StreamDiarize.Core.Clustering.SegmentClusteringOptions();
    foreach (var kv in (Environment.GetEnvironmentVariable("SEG") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
    {
        var p = co.GetType().GetProperty(kv.Split('=')[0])!;
        var v = double.Parse(kv.Split('=')[1]);
        p.SetValue(co, p.PropertyType == typeof(int) ? (object)(int)v : p.PropertyType == typeof(bool) ? v != 0 : v);
    }
    Compose.Run(analysed.Where(a => (!a.Ami || Environment.GetEnvironmentVariable("WITHAMI") == "1") && a.Id.Contains(Environment.GetEnvironmentVariable("ONLY") ?? "")).ToList(), composeSpec.Split(',').Select(double.Parse).ToArray(), co);
    return;
}
if (Environment.GetEnvironmentVariable("STAGE") is { } stageSpec)
{
    // STAGE="240,300" ONLY=6spk: segments, first-stage groups and λ* per voice on the first N seconds (round 20).
    Stage.Run(analysed.Where(a => a.Id.Contains(Environment.GetEnvironmentVariable("ONLY") ?? "")).ToList(), stageSpec.Split(',').Select(double.Parse).ToArray());
    return;
}
if (Environment.GetEnvironmentVariable("TIED") is { } tiedSpec)
{
    // TIED="3,5,10": full-covariance against mean-shift ΔBIC on oracle voices (round 20).
    Tied.Run(analysed.Where(a => Environment.GetEnvironmentVariable("TIEDAMI") == "1" ? a.Ami : !a.Ami).ToList(), tiedSpec.Split(',').Select(double.Parse).ToArray());
    return;
}
if (Environment.GetEnvironmentVariable("ORACLE") is { } oracleSpec)
{
    Oracle.Run(analysed.Where(a => Environment.GetEnvironmentVariable("ORACLEAMI") == "1" ? a.Ami : !a.Ami).ToList(), oracleSpec.Split(',').Select(double.Parse).ToArray());
    return;
}
if (Environment.GetEnvironmentVariable("PREFIX") is { } prefixSpec)
{
    // PREFIX="30,60,120|1.5,2,3|1.9": seconds | ΔBIC weights | distance threshold
    var ps = prefixSpec.Split('|');
    Prefix.Run(analysed, ps[0].Split(',').Select(double.Parse).ToArray(), ps[1].Split(',').Select(double.Parse).ToArray(), ps.Length > 2 ? double.Parse(ps[2]) : 1.9);
    return;
}
if (Environment.GetEnvironmentVariable("DECIDE") is { } decideSpec)
{
    // DECIDE="K,r,firstFrames,modelSeconds"
    var dp = decideSpec.Split(',').Select(double.Parse).ToArray();
    DecideDiag.Run(analysed, (int)dp[0], dp[1], (int)dp[2], dp[3]);
    return;
}
if (Environment.GetEnvironmentVariable("UBM") is { } ubmSpec)
{
    Ubm.Run(analysed, ubmSpec);
    return;
}
if (Environment.GetEnvironmentVariable("DIAG") is { } diag)
{
    var parts = diag.Split(',').Select(double.Parse).ToArray();
    foreach (var a in analysed) Diag.Run(a.Id, a.mask, a.mfcc, a.reference, parts[0], parts[1], (int)parts[2], (int)parts[3]);
    return;
}
bool verbose = Environment.GetEnvironmentVariable("VERBOSE") == "1";
foreach (var combo in Combos(0))
{
    var o = new StreamDiarize.Core.Clustering.SegmentClusteringOptions();
    foreach (var (name, v) in combo)
    {
        var p = typeof(StreamDiarize.Core.Clustering.SegmentClusteringOptions).GetProperty(name)!;
        p.SetValue(o, p.PropertyType == typeof(int) ? (object)(int)v : p.PropertyType == typeof(bool) ? v != 0 : v);
    }
    var clusterer = new StreamDiarize.Core.Clustering.SegmentClusterer(o);
    var real = new List<DerResult>(); var ami = new List<DerResult>();
    var counts = new List<string>();
    var sw = System.Diagnostics.Stopwatch.StartNew();
    foreach (var a in analysed)
    {
        var labels = SegmentDiarization.LabelFrames(a.mask, a.mfcc, clusterer, new StreamDiarize.Core.Clustering.ClusterCountLimits(1, 20), a.mask.Voicing ?? [], a.mask.PitchLags ?? []);
        int spk = StreamDiarize.Core.Clustering.LabelNumbering.ByFirstAppearance(labels);
        var result = new DiarizationResult(a.Id, FrameGrouper.Group(labels, new FrameTimeline(0.01, 0.01), FrameGrouper.DefaultName), spk, a.DurationSeconds);
        var der = DerScorer.Score(a.Id, a.reference, result.Segments, new DerOptions { CollarSeconds = 0.25 });
        (a.Ami ? ami : real).Add(der);
        int truth = a.reference.Select(s => s.Speaker).Distinct().Count();
        if (!a.Ami) counts.Add($"{result.SpeakerCount}/{truth}");
        if (verbose) Console.WriteLine($"  {a.Id,-16} {der.Der * 100,6:F2} miss {der.MissSeconds / der.ScoredSeconds * 100,5:F2} fa {der.FalseAlarmSeconds / der.ScoredSeconds * 100,5:F2} conf {der.ConfusionSeconds / der.ScoredSeconds * 100,5:F2} spk {result.SpeakerCount}/{truth}");
    }
    var rt = DerTotal.Of(real); var at = DerTotal.Of(ami);
    Console.WriteLine($"{string.Join(" ", combo.Select(kv => $"{kv.Key}={kv.Value}"))}  real {rt.Der * 100:F2} (conf {rt.ConfusionSeconds / rt.ScoredSeconds * 100:F2})  ami {at.Der * 100:F2} (miss {at.MissSeconds / at.ScoredSeconds * 100:F2} fa {at.FalseAlarmSeconds / at.ScoredSeconds * 100:F2} conf {at.ConfusionSeconds / at.ScoredSeconds * 100:F2})  counts {string.Join(" ", counts)}  {sw.Elapsed.TotalSeconds:F1}s");
}
