// Live evaluation: each file through the product's analyzer and live diarizer, with ids, merges and relabels counted.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;

static class Live
{
    sealed class Sink(IFrameDiarizer d, List<DiarizationEvent> events) : IFrameSink
    {
        public void OnFrame(long i, ReadOnlySpan<float> f) => d.OnFrame(i, f, events);
    }

    // Wrong-label seconds per 30 s, with each hypothesis speaker mapped to the reference speaker it overlaps most.
    static void Timeline(IReadOnlyList<SpeakerSegment> reference, IReadOnlyList<SpeakerSegment> hyp, double seconds)
    {
        int n = (int)(seconds * 100) + 1;
        var r = new string?[n]; var h = new string?[n];
        foreach (var s in reference) for (int f = (int)(s.StartSeconds * 100); f < Math.Min(n, (int)(s.EndSeconds * 100)); f++) r[f] = r[f] is null ? s.Speaker : "#overlap";
        foreach (var s in hyp) for (int f = (int)(s.StartSeconds * 100); f < Math.Min(n, (int)(s.EndSeconds * 100)); f++) h[f] = s.Speaker;
        var co = new Dictionary<(string, string), int>();
        for (int f = 0; f < n; f++) if (r[f] is { } a && h[f] is { } b && a != "#overlap") co[(b, a)] = co.GetValueOrDefault((b, a)) + 1;
        var map = co.GroupBy(kv => kv.Key.Item1).ToDictionary(g => g.Key, g => g.MaxBy(kv => kv.Value).Key.Item2);
        var line = new System.Text.StringBuilder("    conf/30s:");
        for (int b = 0; b * 3000 < n; b++)
        {
            int wrong = 0;
            for (int f = b * 3000; f < Math.Min(n, (b + 1) * 3000); f++) if (r[f] is { } a && a != "#overlap" && h[f] is { } x && map[x] != a) wrong++;
            line.Append($" {wrong / 100.0:F1}");
        }
        Console.WriteLine(line);
        if (Environment.GetEnvironmentVariable("PAIRS") == "1")
        {
            // Per 30 s: which reference voice was given which (mapped) hypothesis voice, seconds.
            for (int b = 0; b * 3000 < n; b++)
            {
                var pairs = new Dictionary<string, int>();
                for (int f = b * 3000; f < Math.Min(n, (b + 1) * 3000); f++) if (r[f] is { } a && a != "#overlap" && h[f] is { } x && map[x] != a) pairs[$"{a}->{x}({map[x]})"] = pairs.GetValueOrDefault($"{a}->{x}({map[x]})") + 1;
                if (pairs.Count > 0) Console.WriteLine($"      {b * 30,5}s " + string.Join(" ", pairs.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}:{kv.Value / 100.0:F1}")));
            }
        }
        Console.WriteLine("    first: " + string.Join(", ", reference.GroupBy(x => x.Speaker).Select(g => $"{g.Key}@{g.Min(x => x.StartSeconds):F0} (30s of speech at {SpeechReached(g, 30):F0}, 8s at {SpeechReached(g, 8):F0})")));
        Console.WriteLine("    map: " + string.Join(", ", map.Select(kv => $"{kv.Key}->{kv.Value} ({co[(kv.Key, kv.Value)] / 100.0:F0}s)")));
    }

    static Dictionary<string, string> MajorityMap(IReadOnlyList<SpeakerSegment> reference, IReadOnlyList<SpeakerSegment> hyp)
    {
        var co = new Dictionary<(string, string), double>();
        foreach (var h in hyp) foreach (var r in reference)
        {
            double o = Math.Min(h.EndSeconds, r.EndSeconds) - Math.Max(h.StartSeconds, r.StartSeconds);
            if (o > 0) co[(h.Speaker, r.Speaker)] = co.GetValueOrDefault((h.Speaker, r.Speaker)) + o;
        }
        return co.GroupBy(kv => kv.Key.Item1).ToDictionary(g => g.Key, g => g.MaxBy(kv => kv.Value).Key.Item2);
    }

    static string? MajorityRef(IReadOnlyList<SpeakerSegment> reference, double s, double e)
    {
        var d = new Dictionary<string, double>();
        foreach (var r in reference)
        {
            double o = Math.Min(e, r.EndSeconds) - Math.Max(s, r.StartSeconds);
            if (o > 0) d[r.Speaker] = d.GetValueOrDefault(r.Speaker) + o;
        }
        return d.Count == 0 ? null : d.MaxBy(kv => kv.Value).Key;
    }

    static double SpeechReached(IEnumerable<SpeakerSegment> turns, double seconds)
    {
        double sum = 0;
        foreach (var t in turns.OrderBy(x => x.StartSeconds)) { if (sum + t.DurationSeconds >= seconds) return t.StartSeconds + seconds - sum; sum += t.DurationSeconds; }
        return double.NaN;
    }

    static readonly List<double> Waits = [];

    public static void Run(IEnumerable<(string Id, float[] Samples, IReadOnlyList<SpeakerSegment> Reference)> files, OnlineDiarizerOptions online, DefaultDiarizerOptions stages)
    {
        var results = new List<DerResult>();
        foreach (var (id, samples, reference) in files)
        {
            var factory = new DefaultSessionFactory(stages, online);
            var parts = factory.Create(new SessionOptions { LatencySeconds = double.Parse(Environment.GetEnvironmentVariable("LAT") ?? "1") });
            var events = new List<DiarizationEvent>();
            var sink = new Sink(parts.Diarizer, events);
            for (int at = 0; at < samples.Length; at += 1600)
            {
                parts.Analyzer.Push(samples.AsSpan(at, Math.Min(1600, samples.Length - at)), sink);
            }
            parts.Analyzer.Flush(sink);
            parts.Diarizer.Complete(events);
            var ledger = new SegmentLedger();
            int added = 0, merges = 0, late = 0, lateMerges = 0;
            double minutes = samples.Length / 16000.0 / 60;
            var addedAt = new Dictionary<string, double>();
            var relabs = new List<(double T, double S, double E, string From, string To, double Changed, double Age)>();
            foreach (var e in events)
            {
                double before = ledger.FinalSecondsChanged;
                ledger.Apply(e);
                if (e is SpeakerAddedEvent sa0) addedAt[sa0.Speaker] = e.StreamTimeSeconds;
                if (e is RelabelEvent rr && ledger.FinalSecondsChanged > before) relabs.Add((e.StreamTimeSeconds, rr.StartSeconds, rr.EndSeconds, rr.From, rr.To, ledger.FinalSecondsChanged - before, e.StreamTimeSeconds - addedAt.GetValueOrDefault(rr.To, 0)));
                if (e is SpeakerAddedEvent sa) { added++; if (Environment.GetEnvironmentVariable("TIMELINE") == "1") Console.Write($" +{sa.Speaker}@{e.StreamTimeSeconds:F0}"); }
                if (e is RelabelEvent rl && Environment.GetEnvironmentVariable("TIMELINE") == "1" && e.StreamTimeSeconds < 200) Console.Write($" R@{e.StreamTimeSeconds:F0}");
                if (Environment.GetEnvironmentVariable("TIMELINE") == "2" && id.Contains(Environment.GetEnvironmentVariable("FILE") ?? "6spk"))
                {
                    if (e is SpeakerAddedEvent a2) Console.WriteLine($"    @{e.StreamTimeSeconds:F0} added {a2.Speaker}");
                    if (e is MergeEvent m2) Console.WriteLine($"    @{e.StreamTimeSeconds:F0} merge {m2}");
                    if (e is RelabelEvent r2) Console.WriteLine($"    @{e.StreamTimeSeconds:F0} relabel {r2}");
                }
                if (e is MergeEvent or RelabelEvent) { merges++; if (e.StreamTimeSeconds > 120) { late++; if (e is MergeEvent) lateMerges++; } }
            }
            var hyp = ledger.Snapshot(includeProvisional: false);
            var der = DerScorer.Score(id, reference, hyp, new DerOptions { CollarSeconds = 0.25 });
            results.Add(der);
            double speech = hyp.Sum(s => s.DurationSeconds);
            int truth = reference.Select(s => s.Speaker).Distinct().Count();
            int final = hyp.Select(s => s.Speaker).Distinct().Count();
            if (Environment.GetEnvironmentVariable("TIMELINE") == "1") Timeline(reference, hyp, samples.Length / 16000.0);
            if (Environment.GetEnvironmentVariable("RELAB") == "1")
            {
                // Relabelled final seconds: to an id created within 60 s (a new voice claiming) or to an older one; right or wrong by the final mapping.
                var map = MajorityMap(reference, hyp);
                double newRight = 0, newWrong = 0, oldRight = 0, oldWrong = 0;
                foreach (var r in relabs)
                {
                    string? truthSpk = MajorityRef(reference, r.S, r.E);
                    bool right = truthSpk is not null && map.GetValueOrDefault(r.To) == truthSpk;
                    if (r.Age < 60) { if (right) newRight += r.Changed; else newWrong += r.Changed; }
                    else { if (right) oldRight += r.Changed; else oldWrong += r.Changed; }
                    if (Environment.GetEnvironmentVariable("RELABV") == "1") Console.WriteLine($"      @{r.T:F0} {r.S:F1}-{r.E:F1} {r.From}->{r.To} changed {r.Changed:F1}s age {r.Age:F0} truth {truthSpk} to={map.GetValueOrDefault(r.To)} from={map.GetValueOrDefault(r.From)}");
                }
                Console.WriteLine($"    relabelled s: new-id right {newRight:F1} wrong {newWrong:F1}; old-id right {oldRight:F1} wrong {oldWrong:F1}; speech {speech:F0}");
                if (Environment.GetEnvironmentVariable("WAITS") == "1")
                {
                    // Each voice: its own speech before the first id that ends up as it (the final mapping) was created, i.e.
                    // how long a voice spoke under other ids before it had one (0 for the voice that keeps the first id).
                    var voices = new List<string>();
                    double waited = 0;
                    foreach (var g in reference.GroupBy(r => r.Speaker).OrderBy(g => g.Min(r => r.StartSeconds)))
                    {
                        var made = addedAt.Where(kv => map.GetValueOrDefault(kv.Key) == g.Key).Select(kv => kv.Value).DefaultIfEmpty(double.NaN).Min();
                        double own = double.IsNaN(made) ? double.NaN : g.Sum(r => Math.Max(0, Math.Min(r.EndSeconds, made) - r.StartSeconds));
                        voices.Add($"{g.Key}@{g.Min(r => r.StartSeconds):F0}->{(double.IsNaN(made) ? "none" : made.ToString("F0"))} ({own:F1} s)");
                        if (!double.IsNaN(own))
                        {
                            Waits.Add(own);
                            waited += own;
                        }
                    }
                    Console.WriteLine($"    waits: {waited:F1} s, {waited / Math.Max(1, speech) * 100:F1} % of the speech: " + string.Join(", ", voices));
                }
            }
            Console.WriteLine($"  {id,-16} {der.Der * 100,6:F2} miss {der.MissSeconds / der.ScoredSeconds * 100,5:F2} fa {der.FalseAlarmSeconds / der.ScoredSeconds * 100,5:F2} conf {der.ConfusionSeconds / der.ScoredSeconds * 100,5:F2} spk {final}/{truth} ids {added} merges {merges} late/min {(minutes > 2 ? late / (minutes - 2) : 0):F2} ({lateMerges} M) relabelled {ledger.FinalSecondsChanged / Math.Max(1, speech) * 100:F1}%");
        }
        if (results.Any(r => !r.FileId.StartsWith("dev_")))
        {
            var ami = DerTotal.Of(results.Where(r => !r.FileId.StartsWith("dev_")).ToList());
            var c0 = DerTotal.Of(results.Where(r => r.FileId.StartsWith("dev_")).ToList());
            Console.WriteLine($"LIVE ami {ami.Der * 100:F2}  real {c0.Der * 100:F2}");
        }
        if (Waits.Count > 0)
        {
            var w = Waits.OrderBy(x => x).ToList();
            Console.WriteLine($"WAITS {w.Count} voices: own speech before their id median {w[w.Count / 2]:F1} s, mean {w.Average():F1} s, 75th percentile {w[3 * w.Count / 4]:F1} s");
        }
        var t = DerTotal.Of(results);
        Console.WriteLine($"LIVE total {t.Der * 100:F2} (conf {t.ConfusionSeconds / t.ScoredSeconds * 100:F2})");
    }
}
