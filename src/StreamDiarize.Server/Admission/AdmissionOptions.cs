// Server:Admission: when the daemon stops taking new sessions because the ones it runs fall behind real time.
namespace StreamDiarize.Server.Admission;

public sealed class AdmissionOptions
{
    /// <summary>Refuse new sessions (UNAVAILABLE, "at capacity") while the running ones fall behind real time.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The server is at capacity when the sessions' lag (see <see cref="SessionQuantile"/>) reaches this many seconds.</summary>
    public double MaxLagSeconds { get; set; } = 0.5;

    /// <summary>It takes new sessions again once that lag is below this (hysteresis, so it does not flap).</summary>
    public double ResumeLagSeconds { get; set; } = 0.25;

    /// <summary>
    /// Which session's lag decides, as a quantile over the sessions processing audio: 0.9 (the default) the session
    /// nine tenths of the others run ahead of, 0.5 the median, 1 the worst; never the single worst one while two or
    /// more sessions run, so one slow client alone does not close the door. With 0.5, half the admitted sessions could
    /// run far behind before the door closed (docs/RELIABILITY.md, overload).
    /// </summary>
    public double SessionQuantile { get; set; } = 0.9;

    /// <summary>
    /// The server is also at capacity while the daemon has used at least this share of the cores it may run on
    /// (Environment.ProcessorCount: CPU affinity and container limits) for two samples in a row, with sessions running.
    /// Lag shows overload only after the sessions are behind; busy cores show it before (docs/RELIABILITY.md, overload:
    /// with lag alone, admitted streams' p99 send lag was 0.6-6 s; with this, 0.004-0.6 s). 0 turns the CPU rule off.
    /// </summary>
    public double MaxCpuShare { get; set; } = 0.8;

    /// <summary>How often every session's lag is sampled (and /metrics and health updated).</summary>
    public int SampleMilliseconds { get; set; } = 250;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (!(MaxLagSeconds > 0) || MaxLagSeconds > 60)
        {
            errors.Add($"Server:Admission:MaxLagSeconds {MaxLagSeconds} is invalid: use more than 0 and at most 60 seconds");
        }
        if (!(ResumeLagSeconds >= 0) || !(ResumeLagSeconds <= MaxLagSeconds))
        {
            errors.Add($"Server:Admission:ResumeLagSeconds {ResumeLagSeconds} is invalid: use 0 to MaxLagSeconds ({MaxLagSeconds})");
        }
        if (!(SessionQuantile > 0) || SessionQuantile > 1)
        {
            errors.Add($"Server:Admission:SessionQuantile {SessionQuantile} is invalid: use more than 0 and at most 1 (0.5: the median session, 1: the worst)");
        }
        if (!(MaxCpuShare >= 0) || MaxCpuShare > 1)
        {
            errors.Add($"Server:Admission:MaxCpuShare {MaxCpuShare} is invalid: use 0 (off) to 1 (all the cores the daemon may use)");
        }
        if (SampleMilliseconds is < 10 or > 10_000)
        {
            errors.Add($"Server:Admission:SampleMilliseconds {SampleMilliseconds} is invalid: use 10 to 10000");
        }
        return errors;
    }
}
