// How late a session's audio is: against its real-time schedule, so that audio a busy daemon left unread in the
// transport counts as lag, a fast sender's backlog does not, and a client's own pause is forgiven while the daemon has
// CPU to spare; and which session's lag decides admission.
using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamDiarize.Server.Admission;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Tests;

public sealed class LagScheduleTests
{
    [Fact]
    public void Audio_arriving_after_its_real_time_schedule_is_late_by_the_difference_until_the_lateness_is_forgiven()
    {
        var log = new ArrivalLog(16000);
        log.Record(1600);                      // 0.1 s: the schedule starts with this message
        Thread.Sleep(300);
        log.Record(1600);                      // 0.1-0.2 s, due 0.1 s after the first, here at least 0.3 s after it
        long due = log.RealTimeDue(0.2);
        log.ArrivalOf(0.1);
        // The first message was asked about; the second waits, due on the schedule, not when it came.
        Assert.InRange(log.OldestPendingDue() - due, -10, 10);
        long arrival = log.ArrivalOf(0.2);
        Assert.True(Stopwatch.GetElapsedTime(due, arrival).TotalSeconds >= 0.19, "the second message is not late on the schedule");

        log.ForgiveLateness();
        Assert.InRange(log.RealTimeDue(0.2) - arrival, -10, 10);                       // on time now (ticks of rounding)
        // Later audio is due on the moved schedule.
        Assert.InRange(log.RealTimeDue(1.2) - (arrival + Stopwatch.Frequency), -10, 10);
    }

    [Fact]
    public void Audio_sent_ahead_of_real_time_is_not_due_before_its_schedule()
    {
        var log = new ArrivalLog(16000);
        for (int i = 0; i < 30; i++)
        {
            log.Record(1600);                  // 3 s of audio at once
        }
        long last = log.ArrivalOf(3.0);
        Assert.True(Stopwatch.GetElapsedTime(last, log.RealTimeDue(3.0)).TotalSeconds > 2.5, "a fast sender's last audio should be due almost 2.9 s after it came");
        log.ForgiveLateness();                 // nothing is late: the schedule stays
        Assert.True(Stopwatch.GetElapsedTime(last, log.RealTimeDue(3.0)).TotalSeconds > 2.5);
    }

    [Theory]
    [InlineData(new[] { 0.1 }, 0.9, 0.1)]                         // one session: its lag
    [InlineData(new[] { 0.1, 5.0 }, 0.9, 0.1)]                    // never the single worst of two or more
    [InlineData(new[] { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 5.0 }, 0.9, 0.1)]
    [InlineData(new[] { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 5.0, 5.0 }, 0.9, 5.0)]   // two slow of ten close the door
    [InlineData(new[] { 0.1, 0.2, 0.3, 0.4 }, 0.5, 0.2)]
    public void The_deciding_lag_is_the_quantile_session_but_never_the_single_worst(double[] lags, double quantile, double expected)
    {
        Assert.Equal(expected, AdmissionControl.Signal([.. lags], quantile));
    }
}

// Alone: it keeps cores of the test process busy on purpose, which other tests running beside it would feel.
[CollectionDefinition(nameof(BusyCoresTests), DisableParallelization = true)]
public sealed class BusyCoresCollection;

[Collection(nameof(BusyCoresTests))]
public sealed class BusyCoresTests
{
    [Fact]
    public async Task Busy_cores_close_the_door_before_the_sessions_fall_behind_and_it_opens_again_when_they_are_not()
    {
        // Half the cores kept busy (at least one) against a share of 0.3: the rule sees the process over it while the
        // other cores stay free for the daemon's own work.
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:Admission:MaxCpuShare", "0.3"), ("Server:Admission:SampleMilliseconds", "100"));
        using var call = daemon.Client.Diarize();
        var reading = TestAudio.ReadAllAsync(call.ResponseStream);
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(1), TestAudio.F32Config("running"), complete: false);

        // This process (the daemon runs in it) busy on its own threads, with a session holding audio: at capacity.
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount / 2)).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        }) { IsBackground = true }).ToList();
        spinners.ForEach(t => t.Start());
        string? refusal = null;
        var clock = Stopwatch.StartNew();
        try
        {
            // Keep the session fed so it counts as running while the cores are busy (a hang guard, not a timing claim).
            while (refusal is null)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "busy cores never closed the door");
                await call.RequestStream.WriteAsync(TestAudio.Chunk(TestAudio.Noise(0.1).Samples));
                refusal = daemon.App.Services.GetRequiredService<AdmissionControl>().Refusal();
                await Task.Delay(50);
            }
            using var refused = daemon.Client.Diarize();
            var ex = await TestAudio.RefusalAsync(refused, TestAudio.F32Config("new"));
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Contains("the server is at capacity: it used", ex.Status.Detail);
            Assert.Contains("(Server:Admission:MaxCpuShare is 0.3)", ex.Status.Detail);
        }
        finally
        {
            stop.Cancel();
            spinners.ForEach(t => t.Join());
        }
        Assert.Contains("core(s)", refusal);

        // Cores free again: the door opens.
        clock.Restart();
        while (daemon.App.Services.GetRequiredService<AdmissionControl>().AtCapacity)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the door stayed closed after the cores were free");
            await Task.Delay(50);
        }
        await call.RequestStream.CompleteAsync();
        await reading;
    }
}
