// Many live sessions on one micro-batched ONNX model: does waiting for a batch hold thread-pool threads? Each session
// is the real pipeline (analyzer, online diarizer embedding its windows with the model) over an AMI clip.
using System.Diagnostics;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Onnx;
using StreamDiarize.Streaming;

internal static class LiveSessions
{
    public static async Task RunAsync(string modelPath, int sessions, double clipSeconds, IReadOnlyList<bool> modes)
    {
        var wav = AudioLoader.LoadWav(Path.Combine(RepositoryRoot(), "..", "shared", "data", "ami", "dev00.wav"));
        var clip = new AudioClip("dev00", wav.Samples[..(int)(clipSeconds * wav.SampleRateHz)], wav.SampleRateHz);
        var settings = new OnnxSettings
        {
            MicroBatch = true,
            Scheduler = new OnnxBatchSchedulerOptions { MaxBatch = sessions, MaxWaitMs = 5 },
        };
        // One mode per process gives each a fresh pool: threads the pool added for one mode would still be there for the next.
        Console.WriteLine($"{sessions} live sessions of {clipSeconds:F0} s of dev00 each, as fast as they run, on one micro-batched model (MaxBatch {sessions}, MaxWaitMs 5); {Environment.ProcessorCount} cores, thread pool minimum {MinThreads()} threads.");
        Console.WriteLine();
        Console.WriteLine("| diarizer runs on | wall s | audio s per wall s | embeddings | mean windows per run | pool threads max | pool queue max / mean | pool dispatch delay p50 / max ms |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (bool ownThread in modes)
        {
            using var factory = new OnnxSessionFactory(settings: settings);
            var model = factory.Model(modelPath);
            long runs0 = model.Embedder.RunCount;
            long served0 = model.Scheduler!.RequestsServed;
            using var sampler = new PoolSampler();
            var sw = Stopwatch.StartNew();
            var runs = Enumerable.Range(0, sessions).Select(_ => Task.Run(async () =>
            {
                var components = factory.Create(new SessionOptions { Embedder = OnnxSessionFactory.Prefix + modelPath });
                var pipeline = new DiarizationPipeline(components.Analyzer, components.Diarizer, [], new PipelineOptions { WaitingDiarizerOnOwnThread = ownThread });
                await pipeline.RunAsync(new ClipAudioSource(clip, 1600, 1600), CancellationToken.None);
            })).ToArray();
            await Task.WhenAll(runs);
            sw.Stop();
            var pool = sampler.Stop();
            long served = model.Scheduler.RequestsServed - served0;
            long modelRuns = model.Embedder.RunCount - runs0;
            Console.WriteLine(
                $"| {(ownThread ? "a thread of its own (default)" : "pool threads (before)")} | {sw.Elapsed.TotalSeconds:F1} | {sessions * clipSeconds / sw.Elapsed.TotalSeconds:F1} | {served} | {(double)served / Math.Max(1, modelRuns):F1} " +
                $"| {pool.MaxThreads} | {pool.MaxQueue} / {pool.MeanQueue:F1} | {pool.DelayP50Ms:F1} / {pool.DelayMaxMs:F0} |");
        }
    }

    private static int MinThreads()
    {
        ThreadPool.GetMinThreads(out int workers, out _);
        return workers;
    }

    private static string RepositoryRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "StreamDiarize.sln")))
        {
            d = d.Parent;
        }
        return d?.FullName ?? throw new DirectoryNotFoundException("run from inside the repository (StreamDiarize.sln not found above " + AppContext.BaseDirectory + ")");
    }

    /// <summary>
    /// Every 50 ms, from a thread of its own: the pool's thread count and queued work items, and how long a trivial
    /// work item waits before a pool thread runs it (the delay every gRPC read and write of the server would see).
    /// </summary>
    private sealed class PoolSampler : IDisposable
    {
        private readonly Thread _thread;
        private readonly List<(int Threads, long Queue, double DelayMs)> _samples = [];
        private volatile bool _stop;

        public PoolSampler()
        {
            _thread = new Thread(Sample) { IsBackground = true, Name = "pool sampler" };
            _thread.Start();
        }

        public (int MaxThreads, long MaxQueue, double MeanQueue, double DelayP50Ms, double DelayMaxMs) Stop()
        {
            _stop = true;
            _thread.Join();
            var delays = _samples.Select(s => s.DelayMs).Order().ToList();
            return (_samples.Max(s => s.Threads), _samples.Max(s => s.Queue), _samples.Average(s => s.Queue), delays[delays.Count / 2], delays[^1]);
        }

        public void Dispose() => _stop = true;

        private void Sample()
        {
            while (!_stop)
            {
                int threads = ThreadPool.ThreadCount;
                long queue = ThreadPool.PendingWorkItemCount;
                var sw = Stopwatch.StartNew();
                using var ran = new ManualResetEventSlim();
                ThreadPool.UnsafeQueueUserWorkItem(static e => e.Set(), ran, preferLocal: false);
                ran.Wait();
                _samples.Add((threads, queue, sw.Elapsed.TotalMilliseconds));
                Thread.Sleep(50);
            }
        }
    }
}
