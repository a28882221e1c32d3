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

    public static void Run(IEnumerable<(string Id, float[] Samples, IReadOnlyList<SpeakerSegment> Reference)> files, OnlineDiarizerOptions online)
    {
        var results = new List<DerResult>();
        foreach (var (id, samples, reference) in files)
        {
            var stages = new DefaultDiarizerOptions();
            var factory = new DefaultSessionFactory(stages, online);
            var parts = factory.Create(new SessionOptions { LatencySeconds = 1 });
            var events = new List<DiarizationEvent>();
            var sink = new Sink(parts.Diarizer, events);
            for (int at = 0; at < samples.Length; at += 1600)
            {
                parts.Analyzer.Push(samples.AsSpan(at, Math.Min(1600, samples.Length - at)), sink);
            }
            parts.Analyzer.Flush(sink);
            parts.Diarizer.Complete(events);
            var ledger = new SegmentLedger();
            int added = 0, merges = 0, late = 0;
            double minutes = samples.Length / 16000.0 / 60;
            foreach (var e in events)
            {
                ledger.Apply(e);
                if (e is SpeakerAddedEvent) added++;
                if (e is MergeEvent or RelabelEvent) { merges++; if (e.StreamTimeSeconds > 120) late++; }
            }
            var hyp = ledger.Snapshot(includeProvisional: false);
            var der = DerScorer.Score(id, reference, hyp, new DerOptions { CollarSeconds = 0.25 });
            results.Add(der);
            double speech = hyp.Sum(s => s.DurationSeconds);
            int truth = reference.Select(s => s.Speaker).Distinct().Count();
            int final = hyp.Select(s => s.Speaker).Distinct().Count();
            Console.WriteLine($"  {id,-16} {der.Der * 100,6:F2} miss {der.MissSeconds / der.ScoredSeconds * 100,5:F2} fa {der.FalseAlarmSeconds / der.ScoredSeconds * 100,5:F2} conf {der.ConfusionSeconds / der.ScoredSeconds * 100,5:F2} spk {final}/{truth} ids {added} merges {merges} late/min {(minutes > 2 ? late / (minutes - 2) : 0):F2} relabelled {ledger.FinalSecondsChanged / Math.Max(1, speech) * 100:F1}%");
        }
        var t = DerTotal.Of(results);
        Console.WriteLine($"LIVE total {t.Der * 100:F2} (conf {t.ConfusionSeconds / t.ScoredSeconds * 100:F2})");
    }
}
