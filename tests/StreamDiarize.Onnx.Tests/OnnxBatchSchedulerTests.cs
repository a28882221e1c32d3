// The micro-batching scheduler: concurrent callers each get their own embedding, in fewer runs than calls.
namespace StreamDiarize.Onnx.Tests;

public sealed class OnnxBatchSchedulerTests : IDisposable
{
    private readonly ModelFixture _models = new();

    public void Dispose() => _models.Dispose();

    private OnnxSpeakerEmbedder NewEmbedder() =>
        new(_models.Write("embedder.onnx", TestModels.SquareMeanEmbedder()), registry: _models.Registry);

    [Fact]
    public async Task Eight_concurrent_callers_each_get_their_own_embedding_in_fewer_runs_than_calls()
    {
        using var embedder = NewEmbedder();
        var windows = Enumerable.Range(0, 8).Select(i => ModelFixture.Window(16000, 100 + i)).ToArray();
        var expected = windows.Select(w => embedder.Embed(w)).ToArray();
        long runsBefore = embedder.RunCount;
        await using var scheduler = new OnnxBatchScheduler(embedder, new OnnxBatchSchedulerOptions { MaxBatch = 8, MaxWaitMs = 200 });

        using var start = new ManualResetEventSlim();
        var callers = windows.Select(w => Task.Run(async () =>
        {
            start.Wait();
            return await scheduler.EmbedAsync(w);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(callers);

        for (int i = 0; i < 8; i++)
        {
            ModelFixture.AssertClose(expected[i], results[i], 1e-5);
        }
        Assert.Equal(8, scheduler.RequestsServed);
        Assert.True(scheduler.BatchesRun < 8, $"{scheduler.BatchesRun} runs for 8 calls");
        Assert.Equal(scheduler.BatchesRun, embedder.RunCount - runsBefore);
    }

    [Fact]
    public async Task A_lone_caller_is_answered_after_the_bounded_wait()
    {
        using var embedder = NewEmbedder();
        await using var scheduler = new OnnxBatchScheduler(embedder, new OnnxBatchSchedulerOptions { MaxBatch = 32, MaxWaitMs = 20 });
        var window = ModelFixture.Window(16000, 5);

        var result = await scheduler.EmbedAsync(window).WaitAsync(TimeSpan.FromSeconds(10));

        ModelFixture.AssertClose(embedder.Embed(window), result, 1e-5);
    }

    [Fact]
    public async Task A_failed_run_fails_every_caller_of_the_batch_with_its_error()
    {
        var embedder = NewEmbedder();
        await using var scheduler = new OnnxBatchScheduler(embedder, new OnnxBatchSchedulerOptions { MaxBatch = 4, MaxWaitMs = 50 });
        embedder.Dispose();

        var calls = Enumerable.Range(0, 3).Select(i => scheduler.EmbedAsync(ModelFixture.Window(8000, i))).ToArray();

        foreach (var call in calls)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(() => call);
        }
    }

    [Fact]
    public async Task A_window_too_short_fails_its_own_caller_before_joining_a_batch()
    {
        using var embedder = NewEmbedder();
        await using var scheduler = new OnnxBatchScheduler(embedder);
        await Assert.ThrowsAsync<ArgumentException>(() => scheduler.EmbedAsync(new float[100]));
    }

    [Fact]
    public async Task A_cancelled_caller_gets_a_cancellation()
    {
        using var embedder = NewEmbedder();
        await using var scheduler = new OnnxBatchScheduler(embedder);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scheduler.EmbedAsync(ModelFixture.Window(8000, 1), cts.Token));
    }

    [Fact]
    public async Task A_disposed_scheduler_refuses_new_work()
    {
        using var embedder = NewEmbedder();
        var scheduler = new OnnxBatchScheduler(embedder);
        await scheduler.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => scheduler.EmbedAsync(ModelFixture.Window(8000, 1)));
    }
}
