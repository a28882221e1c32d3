// Micro-batching across concurrent streams: callers await one embedding each, a single worker gathers what
// arrives within a short wait into one model Run, which costs far less per window than one Run per caller.
using System.Threading.Channels;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Onnx;

public sealed record OnnxBatchSchedulerOptions
{
    /// <summary>Most windows in one Run.</summary>
    public int MaxBatch { get; init; } = 16;

    /// <summary>Longest time the first request of a batch waits for company; bounds the latency batching adds.</summary>
    public double MaxWaitMs { get; init; } = 5;

    /// <summary>Requests that may wait in the queue; beyond it EmbedAsync waits, so backpressure reaches the callers.</summary>
    public int QueueCapacity { get; init; } = 256;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (MaxBatch < 1 || MaxBatch > 4096)
        {
            errors.Add($"MaxBatch {MaxBatch} is invalid: use 1 to 4096 windows");
        }
        if (!(MaxWaitMs >= 0) || MaxWaitMs > 10_000)
        {
            errors.Add($"MaxWaitMs {MaxWaitMs} is invalid: use 0 to 10000 ms (a few ms is typical)");
        }
        if (QueueCapacity < 1)
        {
            errors.Add($"QueueCapacity {QueueCapacity} is invalid: use at least 1 (at least MaxBatch to let batches fill)");
        }
        return errors;
    }

    public void Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
    }
}

/// <summary>
/// Gathers concurrent <see cref="EmbedAsync"/> calls into batches for an <see cref="OnnxSpeakerEmbedder"/>.
/// One worker reads a bounded channel: it takes the first request, then whatever else arrives within
/// <see cref="OnnxBatchSchedulerOptions.MaxWaitMs"/> up to <see cref="OnnxBatchSchedulerOptions.MaxBatch"/>, runs them
/// together and completes each caller's task. A failed Run fails every caller of that batch with its error.
/// The embedder stays owned by the caller.
/// </summary>
public sealed class OnnxBatchScheduler : IAsyncDisposable, IDisposable
{
    private readonly OnnxSpeakerEmbedder _embedder;
    private readonly OnnxBatchSchedulerOptions _options;
    private readonly Channel<Request> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private long _batches;
    private long _served;
    private int _disposed;

    public OnnxBatchScheduler(OnnxSpeakerEmbedder embedder, OnnxBatchSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        _options = options ?? new OnnxBatchSchedulerOptions();
        _options.Validate();
        _embedder = embedder;
        // Wait, not drop: every request is a caller awaiting its answer, so a full queue must slow callers down.
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Model runs made so far.</summary>
    public long BatchesRun => Interlocked.Read(ref _batches);

    /// <summary>Requests answered (with an embedding) so far.</summary>
    public long RequestsServed => Interlocked.Read(ref _served);

    /// <summary>The embedding of one 16 kHz window, computed in a batch with other callers' windows.</summary>
    public async Task<float[]> EmbedAsync(ReadOnlyMemory<float> window16k, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // Checked here so one bad window fails its own caller, not the whole batch it would have joined.
        _embedder.FramesOf(window16k.Length, nameof(window16k));
        var request = new Request(window16k, cancellationToken);
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(OnnxBatchScheduler));
        }
        using (cancellationToken.Register(static r => ((Request)r!).Result.TrySetCanceled(), request))
        {
            return await request.Result.Task.ConfigureAwait(false);
        }
    }

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Request>(_options.MaxBatch);
        var windows = new List<ReadOnlyMemory<float>>(_options.MaxBatch);
        var wait = TimeSpan.FromMilliseconds(_options.MaxWaitMs);
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();
                if (!reader.TryRead(out var first))
                {
                    continue;
                }
                batch.Add(first);
                long deadline = Environment.TickCount64 + (long)Math.Ceiling(wait.TotalMilliseconds);
                while (batch.Count < _options.MaxBatch)
                {
                    if (reader.TryRead(out var next))
                    {
                        batch.Add(next);
                        continue;
                    }
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0 || !await WaitForMoreAsync(reader, left).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                RunBatch(batch, windows);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposal: fall through and fail whoever is still queued.
        }
        finally
        {
            foreach (var r in batch)
            {
                r.Result.TrySetException(new ObjectDisposedException(nameof(OnnxBatchScheduler)));
            }
            while (reader.TryRead(out var left))
            {
                left.Result.TrySetException(new ObjectDisposedException(nameof(OnnxBatchScheduler)));
            }
        }
    }

    /// <summary>True when an item arrived within <paramref name="milliseconds"/>; false on time-out or completion.</summary>
    private async Task<bool> WaitForMoreAsync(ChannelReader<Request> reader, long milliseconds)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(milliseconds));
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return false;
        }
    }

    private void RunBatch(List<Request> batch, List<ReadOnlyMemory<float>> windows)
    {
        // Callers that gave up while queued are skipped rather than computed for nobody.
        batch.RemoveAll(r => r.Result.Task.IsCompleted || r.CancellationToken.IsCancellationRequested);
        if (batch.Count == 0)
        {
            return;
        }
        windows.Clear();
        foreach (var r in batch)
        {
            windows.Add(r.Window);
        }
        int dim = _embedder.Dimension;
        var output = new float[batch.Count * dim];
        try
        {
            _embedder.EmbedBatch(windows, output);
            Interlocked.Increment(ref _batches);
        }
        catch (Exception ex)
        {
            foreach (var r in batch)
            {
                r.Result.TrySetException(ex);
            }
            batch.Clear();
            return;
        }
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i].Result.TrySetResult(output.AsSpan(i * dim, dim).ToArray()))
            {
                Interlocked.Increment(ref _served);
            }
        }
        batch.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class Request(ReadOnlyMemory<float> window, CancellationToken cancellationToken)
    {
        public ReadOnlyMemory<float> Window { get; } = window;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        // Continuations run off the worker so a slow caller cannot stall the next batch.
        public TaskCompletionSource<float[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
