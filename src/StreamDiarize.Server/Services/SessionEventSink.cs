// Where a session's pipeline delivers events: the session record (ledger, watchers) and the client's response stream, if any.
using System.Collections.Concurrent;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Admission;
using StreamDiarize.Server.Sessions;
using StreamDiarize.Streaming;

namespace StreamDiarize.Server.Services;

internal sealed class SessionEventSink(LiveSession session, ResponseEventWriter? writer, ConcurrentQueue<long> causes, bool includeProvisional) : IEventSink
{
    public async ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
    {
        causes.TryDequeue(out long causedAt);
        bool send = includeProvisional || diarizationEvent is not SegmentEvent { IsFinal: false };
        var wire = send ? EventMapping.ToProto(diarizationEvent) : null;
        if (wire?.SessionEnded is { } ended)
        {
            // The core knows the totals; the server knows why the session ends and what it repaired.
            session.TrySetEnding(EndReason.AudioEnded, "");
            (ended.Reason, ended.Detail) = session.Ending;
            ended.NonFiniteSamples = session.Audio.NonFiniteSamples;
        }
        session.Publish(diarizationEvent, wire);
        if (wire is not null && writer is not null)
        {
            await writer.WriteAsync(wire, causedAt, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// Notes which audio completed each analysis frame: the frames that come out of one Push were caused by the block
/// pushed, so each frame is paired with the stream time of that block's end (16 kHz pipeline samples).
/// </summary>
internal sealed class TimedFrameAnalyzer(IFrameAnalyzer inner, ConcurrentQueue<(long Frame, double Seconds)> frameCauses) : IFrameAnalyzer, IFrameSink
{
    private IFrameSink? _sink;
    private long _pushed;
    private bool _flushing;

    public int Dims => inner.Dims;

    public double HopSeconds => inner.HopSeconds;

    public void Push(ReadOnlySpan<float> samples, IFrameSink sink)
    {
        _pushed += samples.Length;
        _sink = sink;
        inner.Push(samples, this);
    }

    public void Flush(IFrameSink sink)
    {
        _sink = sink;
        _flushing = true;
        inner.Flush(this);
    }

    public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
    {
        frameCauses.Enqueue((frameIndex, _flushing ? double.PositiveInfinity : (double)_pushed / DiarizationPipeline.PipelineSampleRateHz));
        _sink!.OnFrame(frameIndex, features);
    }
}

/// <summary>
/// Notes, for each event the diarizer emits, when the audio that completed its frame arrived, so the writer can time
/// arrival-to-wire; and tells the session's <see cref="SessionLag"/> how old each block of audio was when it was
/// diarized. Events leave the pipeline in the order they were made, so a queue pairs them up.
/// </summary>
internal sealed class TimedFrameDiarizer(IFrameDiarizer inner, ISessionAudio audio, SessionLag lag, ConcurrentQueue<(long Frame, double Seconds)> frameCauses, ConcurrentQueue<long> causes) : IFrameDiarizer, IDisposable
{
    private double _blockSeconds = double.NaN;
    private long _blockArrival;
    private long _blockDue;

    // The pipeline decides by these where the diarizer runs and when it is released: they are the inner one's.
    public bool MayWait => inner.MayWait;

    public void Dispose() => (inner as IDisposable)?.Dispose();

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        double seconds = double.PositiveInfinity;
        while (frameCauses.TryPeek(out var head) && head.Frame <= frameIndex)
        {
            frameCauses.TryDequeue(out _);
            seconds = head.Seconds;
        }
        if (seconds != _blockSeconds)
        {
            // Once per pushed block (frames of one block share its arrival): ask the arrival log in increasing time order.
            _blockSeconds = seconds;
            _blockArrival = double.IsPositiveInfinity(seconds) ? audio.ArrivalOfEnd() : audio.ArrivalOf(seconds);
            // Lag counts from when the audio was due on the session's real-time schedule (not before: a fast sender's
            // backlog is not lag; and not from its arrival: audio a busy daemon left waiting in the transport is late).
            long due = double.IsPositiveInfinity(seconds) ? 0 : audio.RealTimeDue(seconds);
            _blockDue = due != 0 ? due : _blockArrival;
        }
        int before = events.Count;
        inner.OnFrame(frameIndex, frame, events);
        lag.Processed(_blockDue);
        for (int i = before; i < events.Count; i++)
        {
            causes.Enqueue(_blockArrival);
        }
    }

    public void Complete(List<DiarizationEvent> events)
    {
        int before = events.Count;
        inner.Complete(events);
        long at = audio.ArrivalOfEnd();
        for (int i = before; i < events.Count; i++)
        {
            causes.Enqueue(at);
        }
    }
}
