// Research round 6: a background model (GMM-UBM) and MAP-adapted mean supervectors, trained speaker-disjoint.
// For each test file the UBM is trained on the speech of the other real-dev files, with every turn of the test file's
// speakers removed (so no test voice is in the background); the AMI clips use a UBM of all of real-dev.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

sealed class DiagGmm
{
    public int K, D;
    public double[] W = [], Mu = [], Var = [];
    double[] logConst = [];

    public static DiagGmm Train(List<float[]> frames, int k, int iters, int seed)
    {
        int d = frames[0].Length;
        var g = new DiagGmm { K = k, D = d, W = new double[k], Mu = new double[k * d], Var = new double[k * d] };
        var rnd = new Random(seed);
        // global variance
        var gm = new double[d]; var gv = new double[d];
        foreach (var f in frames) for (int i = 0; i < d; i++) { gm[i] += f[i]; gv[i] += f[i] * (double)f[i]; }
        for (int i = 0; i < d; i++) { gm[i] /= frames.Count; gv[i] = gv[i] / frames.Count - gm[i] * gm[i]; }
        for (int c = 0; c < k; c++)
        {
            var f = frames[rnd.Next(frames.Count)];
            for (int i = 0; i < d; i++) { g.Mu[c * d + i] = f[i]; g.Var[c * d + i] = gv[i]; }
            g.W[c] = 1.0 / k;
        }
        var post = new double[k];
        for (int it = 0; it < iters; it++)
        {
            g.Prepare();
            var n = new double[k]; var s1 = new double[k * d]; var s2 = new double[k * d];
            object gate = new();
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, frames.Count, 5000), () => (new double[k], new double[k * d], new double[k * d], new double[k]), (range, _, acc) =>
            {
                for (int t = range.Item1; t < range.Item2; t++)
                {
                    var x = frames[t];
                    g.Posteriors(x, acc.Item4);
                    for (int c = 0; c < k; c++)
                    {
                        double p = acc.Item4[c];
                        if (p < 1e-6) continue;
                        acc.Item1[c] += p;
                        for (int i = 0; i < d; i++) { acc.Item2[c * d + i] += p * x[i]; acc.Item3[c * d + i] += p * x[i] * x[i]; }
                    }
                }
                return acc;
            }, acc => { lock (gate) { for (int c = 0; c < k; c++) n[c] += acc.Item1[c]; for (int i = 0; i < k * d; i++) { s1[i] += acc.Item2[i]; s2[i] += acc.Item3[i]; } } });
            for (int c = 0; c < k; c++)
            {
                if (n[c] < 10)
                {
                    var f = frames[rnd.Next(frames.Count)];
                    for (int i = 0; i < d; i++) { g.Mu[c * d + i] = f[i]; g.Var[c * d + i] = gv[i]; }
                    g.W[c] = 1.0 / k; continue;
                }
                g.W[c] = n[c] / frames.Count;
                for (int i = 0; i < d; i++)
                {
                    double m = s1[c * d + i] / n[c];
                    g.Mu[c * d + i] = m;
                    g.Var[c * d + i] = Math.Max(0.01 * gv[i], s2[c * d + i] / n[c] - m * m);
                }
            }
        }
        g.Prepare();
        return g;
    }

    public void Prepare()
    {
        logConst = new double[K];
        for (int c = 0; c < K; c++)
        {
            double s = Math.Log(Math.Max(W[c], 1e-12));
            for (int i = 0; i < D; i++) s -= 0.5 * Math.Log(2 * Math.PI * Var[c * D + i]);
            logConst[c] = s;
        }
    }

    public void Posteriors(ReadOnlySpan<float> x, double[] post)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < K; c++)
        {
            double s = logConst[c];
            int o = c * D;
            for (int i = 0; i < D; i++) { double z = x[i] - Mu[o + i]; s -= 0.5 * z * z / Var[o + i]; }
            post[c] = s; if (s > max) max = s;
        }
        double sum = 0;
        for (int c = 0; c < K; c++) { post[c] = Math.Exp(post[c] - max); sum += post[c]; }
        for (int c = 0; c < K; c++) post[c] /= sum;
    }
}

/// <summary>Zero- and first-order Baum-Welch statistics of a set of frames against the UBM.</summary>
sealed class BwStats
{
    public double[] N, F;
    public BwStats(int k, int d) { N = new double[k]; F = new double[k * d]; }
    public void Add(BwStats o) { for (int i = 0; i < N.Length; i++) N[i] += o.N[i]; for (int i = 0; i < F.Length; i++) F[i] += o.F[i]; }
    public double Count => N.Sum();

    /// <summary>MAP mean offset supervector, scaled by sqrt(w)/sigma.</summary>
    public double[] Supervector(DiagGmm g, double r)
    {
        var sv = new double[g.K * g.D];
        for (int c = 0; c < g.K; c++)
        {
            double a = N[c] / (N[c] + r);
            double sw = Math.Sqrt(g.W[c]);
            for (int i = 0; i < g.D; i++)
            {
                double m = N[c] > 0 ? F[c * g.D + i] / N[c] : g.Mu[c * g.D + i];
                sv[c * g.D + i] = sw * a * (m - g.Mu[c * g.D + i]) / Math.Sqrt(g.Var[c * g.D + i]);
            }
        }
        return sv;
    }
}

static class Ubm
{
    record File(string Id, double Dur, SpeechMask Mask, FeatureMatrix Mfcc, IReadOnlyList<SpeakerSegment> Ref, bool Ami);

    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, string spec)
    {
        var o = spec.Split(';', StringSplitOptions.RemoveEmptyEntries).ToDictionary(kv => kv.Split('=')[0], kv => kv.Split('=')[1]);
        int K = int.Parse(o.GetValueOrDefault("K", "64"));
        double[] R = o.GetValueOrDefault("R", "16").Split(',').Select(double.Parse).ToArray();
        double[] T = o.GetValueOrDefault("T", "0.5").Split(',').Select(double.Parse).ToArray();
        string mode = o.GetValueOrDefault("MODE", "cluster");
        bool cmn = o.GetValueOrDefault("CMN", "1") == "1";
        int first = 1, d = int.Parse(o.GetValueOrDefault("D", "19"));
        var files = analysed.Select(a => new File(a.Id, a.DurationSeconds, a.mask, a.mfcc, a.reference, a.Ami)).ToList();
        // Features per file: c1..c19, mean-normalised over the file's speech when CMN.
        var feats = files.ToDictionary(f => f.Id, f => Features(f, first, d, cmn));
        var ubms = new Dictionary<string, DiagGmm>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        DiagGmm? all = null;
        foreach (var f in files)
        {
            var exclude = f.Ami ? new HashSet<string>() : f.Ref.Select(s => s.Speaker).ToHashSet();
            if (f.Ami && all is not null) { ubms[f.Id] = all; continue; }
            var train = new List<float[]>();
            foreach (var g in files.Where(g => !g.Ami && g.Id != f.Id))
            {
                var who = Who(g);
                var x = feats[g.Id];
                for (int t = 0; t < x.Length; t += 3)
                {
                    if (x[t] is null || who[t] is null || exclude.Contains(who[t]!)) continue;
                    train.Add(x[t]!);
                }
            }
            var ubm = DiagGmm.Train(train, K, 12, 7);
            ubms[f.Id] = ubm;
            if (f.Ami) all = ubm;
            Console.Error.WriteLine($"ubm for {f.Id}: {train.Count} frames, {sw.Elapsed.TotalSeconds:F1}s");
        }
        var stages = new DefaultDiarizerOptions();
        var clusterer = new SegmentClusterer(stages.Segments with { MergeLambda = 0 });
        // Segment stats once per file.
        var prepared = files.Select(f => Prepare(f, feats[f.Id], ubms[f.Id], clusterer)).ToList();
        foreach (double r in R)
        {
            foreach (double thr in T)
            {
                var real = new List<DerResult>(); var ami = new List<DerResult>(); var counts = new List<string>();
                foreach (var (f, p) in files.Zip(prepared))
                {
                    var labels = Label(f, p, ubms[f.Id], clusterer, mode, r, thr);
                    int spk = LabelNumbering.ByFirstAppearance(labels);
                    var segs = FrameGrouper.Group(labels, new FrameTimeline(0.01, 0.01), FrameGrouper.DefaultName);
                    var der = DerScorer.Score(f.Id, f.Ref, segs, new DerOptions { CollarSeconds = 0.25 });
                    (f.Ami ? ami : real).Add(der);
                    int truth = f.Ref.Select(s => s.Speaker).Distinct().Count();
                    counts.Add($"{spk}/{truth}");
                    if (Environment.GetEnvironmentVariable("VERBOSE") == "1") Console.WriteLine($"  {f.Id,-16} {der.Der * 100,6:F2} conf {der.ConfusionSeconds / der.ScoredSeconds * 100,5:F2} spk {spk}/{truth}");
                }
                var rt = DerTotal.Of(real); var at = DerTotal.Of(ami);
                Console.WriteLine($"K={K} mode={mode} cmn={cmn} r={r} T={thr}  real {rt.Der * 100:F2} (conf {rt.ConfusionSeconds / rt.ScoredSeconds * 100:F2})  ami {at.Der * 100:F2} (conf {at.ConfusionSeconds / at.ScoredSeconds * 100:F2})  counts {string.Join(" ", counts)}");
            }
        }
    }

    static string?[] Who(File f)
    {
        int frames = f.Mask.Frames;
        var who = new string?[frames]; var cnt = new int[frames];
        foreach (var s in f.Ref)
            for (int t = (int)(s.StartSeconds / 0.01); t < Math.Min(frames, (int)(s.EndSeconds / 0.01)); t++) { who[t] = s.Speaker; cnt[t]++; }
        for (int t = 0; t < frames; t++) if (cnt[t] != 1 || !f.Mask.IsSpeech[t]) who[t] = null;
        return who;
    }

    static float[]?[] Features(File f, int first, int d, bool cmn)
    {
        int frames = Math.Min(f.Mask.Frames, f.Mfcc.Frames);
        var x = new float[]?[f.Mask.Frames];
        var mean = new double[d]; int n = 0;
        for (int t = 0; t < frames; t++)
        {
            if (!f.Mask.IsSpeech[t]) continue;
            var row = f.Mfcc.Row(t).Slice(first, d).ToArray();
            x[t] = row; n++;
            for (int i = 0; i < d; i++) mean[i] += row[i];
        }
        if (cmn && n > 0)
        {
            for (int i = 0; i < d; i++) mean[i] /= n;
            foreach (var row in x) if (row is not null) for (int i = 0; i < d; i++) row[i] -= (float)mean[i];
        }
        return x;
    }

    sealed record Prepared(List<(int Start, int End)> Segments, List<GaussianStats> Gauss, List<BwStats> Bw, double[] Floor);

    static Prepared Prepare(File f, float[]?[] x, DiagGmm ubm, SegmentClusterer clusterer)
    {
        var o = clusterer.Options;
        var mask = f.Mask;
        int frames = Math.Min(mask.Frames, f.Mfcc.Frames);
        var pauses = mask.IsPause;
        var cutter = new PhraseCutter(o.MaxSegmentFrames(mask.HopSeconds));
        var segments = new List<(int Start, int End)>();
        for (int i = 0; i <= frames; i++)
        {
            bool usable = i < frames && mask.IsSpeech[i] && (pauses is null || !pauses[i]);
            if (i < frames ? cutter.Push(i, usable, out long s, out long e) : cutter.Finish(frames, out s, out e)) segments.Add(((int)s, (int)e));
        }
        var gauss = new List<GaussianStats>(); var bw = new List<BwStats>();
        var session = new GaussianStats(o.Coefficients);
        var post = new double[ubm.K];
        var voicing = mask.Voicing; var lags = mask.PitchLags;
        foreach (var (start, end) in segments)
        {
            var g = new GaussianStats(o.Coefficients);
            var b = new BwStats(ubm.K, ubm.D);
            for (int t = start; t < end; t++)
            {
                g.Add(f.Mfcc.Row(t).Slice(o.FirstCoefficient, o.Coefficients));
                if (voicing is not null && lags is not null && voicing[t] >= o.PitchVoicingThreshold && lags[t] > 0) g.AddAux(PitchAccumulator.LogF0(lags[t], 16000));
                if (x[t] is { } row)
                {
                    ubm.Posteriors(row, post);
                    for (int c = 0; c < ubm.K; c++)
                    {
                        double p = post[c]; if (p < 1e-5) continue;
                        b.N[c] += p;
                        for (int i = 0; i < ubm.D; i++) b.F[c * ubm.D + i] += p * row[i];
                    }
                }
            }
            gauss.Add(g); bw.Add(b); session.Add(g);
        }
        return new Prepared(segments, gauss, bw, clusterer.Floor(session));
    }

    static double Cos(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb + 1e-30);
    }

    static int[] Label(File f, Prepared p, DiagGmm ubm, SegmentClusterer clusterer, string mode, double r, double thr)
    {
        var o = clusterer.Options;
        int minFrames = o.MinSegmentFrames(f.Mask.HopSeconds);
        var longIdx = Enumerable.Range(0, p.Segments.Count).Where(i => p.Gauss[i].Count >= minFrames).ToList();
        var segLabels = new int[p.Segments.Count];
        if (longIdx.Count >= 2)
        {
            int[] first;
            if (mode == "cluster")
            {
                first = clusterer.Cluster(longIdx.Select(i => p.Gauss[i]).ToList(), p.Floor, new ClusterCountLimits(1, null));
            }
            else
            {
                first = Enumerable.Range(0, longIdx.Count).ToArray();
            }
            int k = first.Max() + 1;
            var cb = Enumerable.Range(0, k).Select(_ => new BwStats(ubm.K, ubm.D)).ToList();
            for (int x = 0; x < longIdx.Count; x++) cb[first[x]].Add(p.Bw[longIdx[x]]);
            var sv = cb.Select(b => b.Supervector(ubm, r)).ToArray();
            var dist = new double[(long)k * (k - 1) / 2];
            for (int i = 0; i < k; i++) for (int j = i + 1; j < k; j++) dist[AgglomerativeClusterer.Index(i, j, k)] = 1 - Cos(sv[i], sv[j]);
            var weights = cb.Select(b => mode == "cluster" ? 1.0 : 1.0).ToArray();
            var merges = k >= 2 ? AgglomerativeClusterer.LinkageOfDistances(dist, k, weights) : [];
            int applied = 0;
            while (applied < merges.Length && merges[applied].Distance <= thr) applied++;
            var second = AgglomerativeClusterer.Cut(merges, k, applied);
            Array.Fill(segLabels, -1);
            for (int x = 0; x < longIdx.Count; x++) segLabels[longIdx[x]] = second[first[x]];
            // Small clusters dissolve; short segments join the nearest cluster by cosine of supervectors.
            int kk = second.Max() + 1;
            var pooled = Enumerable.Range(0, kk).Select(_ => new BwStats(ubm.K, ubm.D)).ToList();
            for (int x = 0; x < longIdx.Count; x++) pooled[segLabels[longIdx[x]]].Add(p.Bw[longIdx[x]]);
            double total = pooled.Sum(b => b.Count);
            var keep = Enumerable.Range(0, kk).Where(c => pooled[c].Count >= o.MinClusterFraction * total).ToList();
            if (keep.Count == 0) keep.Add(0);
            var csv = keep.Select(c => pooled[c].Supervector(ubm, r)).ToArray();
            for (int i = 0; i < segLabels.Length; i++)
            {
                if (segLabels[i] >= 0 && keep.Contains(segLabels[i])) { segLabels[i] = keep.IndexOf(segLabels[i]); continue; }
                var s = p.Bw[i].Supervector(ubm, r);
                int best = 0; double bc = double.NegativeInfinity;
                for (int c = 0; c < csv.Length; c++) { double v = Cos(s, csv[c]); if (v > bc) { bc = v; best = c; } }
                segLabels[i] = best;
            }
        }
        var labels = new int[f.Mask.Frames];
        Array.Fill(labels, -1);
        for (int i = 0; i < p.Segments.Count; i++) labels.AsSpan(p.Segments[i].Start, p.Segments[i].End - p.Segments[i].Start).Fill(segLabels[i]);
        if (f.Mask.IsPause is { } pauses) DefaultDiarizer.DropPausesBetweenSpeakers(labels, pauses);
        return labels;
    }
}

/// <summary>
/// How well a segment's first second is given to the right speaker against speaker models built from every other
/// segment (reference speakers): one full-covariance Gaussian (the live decision today) against a GMM MAP-adapted
/// from a background model (trained on other files' voices, or on this file's own speech).
/// </summary>
static class DecideDiag
{
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, int K, double r, int firstFrames, double modelSeconds)
    {
        var real = analysed.Where(a => !a.Ami).ToList();
        foreach (var a in real)
        {
            int frames = Math.Min(a.mask.Frames, a.mfcc.Frames);
            var who = new string?[frames]; var cnt = new int[frames];
            foreach (var s in a.reference) for (int t = (int)(s.StartSeconds / 0.01); t < Math.Min(frames, (int)(s.EndSeconds / 0.01)); t++) { who[t] = s.Speaker; cnt[t]++; }
            // Reference-pure segments of 1-2.5 s of usable speech, as the live cutter makes them.
            var segs = new List<(int S, int E, string Spk)>();
            var cutter = new PhraseCutter(250);
            for (int i = 0; i <= frames; i++)
            {
                bool usable = i < frames && a.mask.IsSpeech[i] && (a.mask.IsPause is null || !a.mask.IsPause[i]);
                if (i < frames ? cutter.Push(i, usable, out long s, out long e) : cutter.Finish(frames, out s, out e))
                {
                    if (e - s < 100) continue;
                    string? spk = null; bool pure = true;
                    for (long t = s; t < e && pure; t++) { if (cnt[t] != 1) pure = false; else if (spk is null) spk = who[t]; else if (spk != who[t]) pure = false; }
                    if (pure && spk is not null) segs.Add(((int)s, (int)e, spk));
                }
            }
            var speakers = segs.Select(x => x.Spk).Distinct().ToList();
            // Background models: other files' voices (speaker-disjoint) and this file's own speech.
            var exclude = speakers.ToHashSet();
            var other = new List<float[]>(); var own = new List<float[]>();
            foreach (var b in real)
            {
                int n = Math.Min(b.mask.Frames, b.mfcc.Frames);
                var bw = new string?[n]; var bc = new int[n];
                foreach (var s in b.reference) for (int t = (int)(s.StartSeconds / 0.01); t < Math.Min(n, (int)(s.EndSeconds / 0.01)); t++) { bw[t] = s.Speaker; bc[t]++; }
                for (int t = 0; t < n; t += 2)
                {
                    if (!b.mask.IsSpeech[t]) continue;
                    var row = b.mfcc.Row(t).Slice(1, 19).ToArray();
                    if (b.Id == a.Id) own.Add(row);
                    else if (bc[t] == 1 && !exclude.Contains(bw[t]!)) other.Add(row);
                }
            }
            var ubmOther = DiagGmm.Train(other, K, 10, 3);
            var ubmOwn = DiagGmm.Train(own, K, 10, 3);
            // Speaker models from at most modelSeconds of each speaker's other segments (early in a session: little).
            int correctG = 0, correctO = 0, correctS = 0, total = 0;
            var rnd = new Random(5);
            var post = new double[K];
            foreach (var (S, E, Spk) in segs.Where((_, i) => i % 3 == 0))
            {
                var gauss = new Dictionary<string, GaussianStats>();
                var statsO = new Dictionary<string, BwStats>(); var statsS = new Dictionary<string, BwStats>();
                foreach (var spk in speakers)
                {
                    var pool = segs.Where(x => x.Spk == spk && x.S != S).OrderBy(_ => rnd.Next()).ToList();
                    var g = new GaussianStats(19); var bo = new BwStats(K, 19); var bs = new BwStats(K, 19);
                    double taken = 0;
                    foreach (var x in pool)
                    {
                        if (taken >= modelSeconds) break;
                        for (int t = x.S; t < x.E; t++)
                        {
                            var row = a.mfcc.Row(t).Slice(1, 19);
                            g.Add(row);
                            Acc(ubmOther, row, bo, post); Acc(ubmOwn, row, bs, post);
                        }
                        taken += (x.E - x.S) * 0.01;
                    }
                    gauss[spk] = g; statsO[spk] = bo; statsS[spk] = bs;
                }
                var floor = new double[19];
                var all = new GaussianStats(19); foreach (var g in gauss.Values) all.Add(g);
                for (int k = 0; k < 19; k++) { double m = all.Sum[k] / all.Count; floor[k] = 0.01 * (all.Scatter[k * 19 + k] / all.Count - m * m); }
                var seg = new GaussianStats(19);
                int end = Math.Min(E, S + firstFrames);
                for (int t = S; t < end; t++) seg.Add(a.mfcc.Row(t).Slice(1, 19));
                var models = speakers.Select(s => gauss[s]).ToList();
                var costs = SegmentClusterer.Costs(models, floor);
                var scratch = new double[19 * 19];
                string g1 = speakers[SegmentClusterer.Nearest(models, costs, seg, floor, scratch)];
                string g2 = Best(ubmOther, speakers, statsO, a.mfcc, S, end, r);
                string g3 = Best(ubmOwn, speakers, statsS, a.mfcc, S, end, r);
                total++; if (g1 == Spk) correctS++; if (g2 == Spk) correctO++; if (g3 == Spk) correctG++;
            }
            Console.WriteLine($"{a.Id,-16} segs {total,4}  gaussian {100.0 * correctS / total,5:F1}%  gmm-ubm(other voices) {100.0 * correctO / total,5:F1}%  gmm-ubm(own speech) {100.0 * correctG / total,5:F1}%");
        }
    }

    static void Acc(DiagGmm g, ReadOnlySpan<float> x, BwStats b, double[] post)
    {
        g.Posteriors(x, post);
        for (int c = 0; c < g.K; c++) { double p = post[c]; if (p < 1e-5) continue; b.N[c] += p; for (int i = 0; i < g.D; i++) b.F[c * g.D + i] += p * x[i]; }
    }

    /// <summary>The speaker whose MAP-adapted GMM gives the frames the highest likelihood.</summary>
    static string Best(DiagGmm ubm, List<string> speakers, Dictionary<string, BwStats> stats, FeatureMatrix mfcc, int s, int e, double r)
    {
        string best = speakers[0]; double bestLl = double.NegativeInfinity;
        foreach (var spk in speakers)
        {
            var st = stats[spk];
            var mu = new double[ubm.K * ubm.D];
            for (int c = 0; c < ubm.K; c++)
            {
                double a = st.N[c] / (st.N[c] + r);
                for (int i = 0; i < ubm.D; i++) mu[c * ubm.D + i] = st.N[c] > 0 ? a * st.F[c * ubm.D + i] / st.N[c] + (1 - a) * ubm.Mu[c * ubm.D + i] : ubm.Mu[c * ubm.D + i];
            }
            double ll = 0;
            for (int t = s; t < e; t++)
            {
                var x = mfcc.Row(t).Slice(1, 19);
                double max = double.NegativeInfinity; var lp = new double[ubm.K];
                for (int c = 0; c < ubm.K; c++)
                {
                    double v = Math.Log(ubm.W[c]);
                    for (int i = 0; i < ubm.D; i++) { double z = x[i] - mu[c * ubm.D + i]; v -= 0.5 * (z * z / ubm.Var[c * ubm.D + i] + Math.Log(2 * Math.PI * ubm.Var[c * ubm.D + i])); }
                    lp[c] = v; if (v > max) max = v;
                }
                double sum = 0; for (int c = 0; c < ubm.K; c++) sum += Math.Exp(lp[c] - max);
                ll += max + Math.Log(sum);
            }
            if (ll > bestLl) { bestLl = ll; best = spk; }
        }
        return best;
    }
}
