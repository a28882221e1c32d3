// Where the live speech detector and the offline one disagree, against the reference speech.
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Streaming;

static class MaskDiff
{
    sealed class Capture(StreamingSpeechDetector sad, List<bool> speech) : IFrameSink
    {
        public void OnFrame(long i, ReadOnlySpan<float> f)
        {
            sad.Push(AnalysisFrameLayout.EnergyDb(f), AnalysisFrameLayout.Voicing(f));
            Drain();
        }
        public void Drain()
        {
            while (speech.Count < sad.Committed) speech.Add(sad.IsSpeech(speech.Count));
        }
    }

    public static void Run(string id, float[] samples, IReadOnlyList<SpeakerSegment> reference, double lookahead, DefaultDiarizerOptions stages)
    {
        var online = new OnlineDiarizerOptions
        {
            SpeechHistorySeconds = double.Parse(Environment.GetEnvironmentVariable("HIST") ?? "60"),
            SpeechMinRangeDb = double.Parse(Environment.GetEnvironmentVariable("MINRANGE") ?? "40"),
            SpeechTrustVoicedShare = double.Parse(Environment.GetEnvironmentVariable("TRUST") ?? "0.4"),
        };
        var offline = new EnergySpeechDetector(stages.Speech).Detect(samples).IsSpeech;
        var analyzer = new DefaultFrameAnalyzer(stages);
        var sad = new StreamingSpeechDetector(stages.Speech, lookahead, online.SpeechHistorySeconds, online.SpeechWarmupSeconds, online.SpeechMinRangeDb,
            trustVoicedShare: online.SpeechTrustVoicedShare, trustAfterSeconds: online.SpeechTrustAfterSeconds);
        var live = new List<bool>();
        var cap = new Capture(sad, live);
        for (int at = 0; at < samples.Length; at += 1600) analyzer.Push(samples.AsSpan(at, Math.Min(1600, samples.Length - at)), cap);
        analyzer.Flush(cap); sad.Finish(); cap.Drain();
        int n = Math.Min(offline.Length, live.Count);
        var refSpeech = new bool[n];
        foreach (var s in reference) for (int f = (int)(s.StartSeconds * 100); f < Math.Min(n, (int)(s.EndSeconds * 100)); f++) refSpeech[f] = true;
        int refN = refSpeech.Count(x => x);
        int offMiss = 0, liveMiss = 0, liveOnlyMiss = 0, liveOnlyMissFirstMin = 0, offFa = 0, liveFa = 0;
        for (int f = 0; f < n; f++)
        {
            if (refSpeech[f] && !offline[f]) offMiss++;
            if (refSpeech[f] && !live[f]) { liveMiss++; if (offline[f]) { liveOnlyMiss++; if (f < 6000) liveOnlyMissFirstMin++; } }
            if (!refSpeech[f] && offline[f]) offFa++;
            if (!refSpeech[f] && live[f]) liveFa++;
        }
        // Live-only miss by place in the offline run: whole run missed, before the live run starts, after it ends, or inside.
        int whole = 0, onset = 0, offset = 0, inside = 0;
        for (int a = 0; a < n;)
        {
            if (!offline[a]) { a++; continue; }
            int b = a; while (b < n && offline[b]) b++;
            int first = -1, last = -1;
            for (int f = a; f < b; f++) if (live[f]) { if (first < 0) first = f; last = f; }
            for (int f = a; f < b; f++)
            {
                if (!refSpeech[f] || live[f]) continue;
                if (first < 0) whole++; else if (f < first) onset++; else if (f > last) offset++; else inside++;
            }
            a = b;
        }
        if (Environment.GetEnvironmentVariable("FARUNS") == "1")
        {
            // Live speech runs with no reference speech in them, and whether the offline mask has any speech there.
            for (int a = 0; a < n;)
            {
                if (!live[a]) { a++; continue; }
                int b = a; while (b < n && live[b]) b++;
                int refIn = 0, offIn = 0;
                for (int f = a; f < b; f++) { if (refSpeech[f]) refIn++; if (offline[f]) offIn++; }
                if (refIn < (b - a) / 2) Console.WriteLine($"     live run {a / 100.0:F2}-{b / 100.0:F2} ({(b - a) / 100.0:F2}s) ref {refIn / 100.0:F2}s offline {offIn / 100.0:F2}s");
                a = b;
            }
        }
        Console.WriteLine($"   live-only miss: whole runs {whole / 100.0:F1}s onset {onset / 100.0:F1}s offset {offset / 100.0:F1}s inside {inside / 100.0:F1}s");
        Console.WriteLine($"{id,-16} la {lookahead} ref {refN / 100.0,7:F1}s  miss off {offMiss / 100.0,6:F1} live {liveMiss / 100.0,6:F1} (live-only {liveOnlyMiss / 100.0:F1}, first min {liveOnlyMissFirstMin / 100.0:F1})  fa off {offFa / 100.0,6:F1} live {liveFa / 100.0,6:F1}");
    }
}
