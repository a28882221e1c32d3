// Where a session's pipeline delivers events: the session record (ledger, watchers) and the client's response stream.
using System.Collections.Concurrent;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Server.Sessions;
using StreamDiarize.Streaming;

namespace StreamDiarize.Server.Services;

internal sealed class SessionEventSink(LiveSession session, ResponseEventWriter writer, ConcurrentQueue<long> causes, bool includeProvisional) : IEventSink
{
    public async ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
    {
        causes.TryDequeue(out long causedAt);
        bool send = includeProvisional || diarizationEvent is not SegmentEvent { IsFinal: false };
        var wire = send ? EventMapping.ToProto(diarizationEvent) : null;
        session.Publish(diarizationEvent, wire);
        if (wire is not null)
        {
            await writer.WriteAsync(wire, causedAt, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// Notes, for each event the diarizer emits, when the audio that caused it arrived, so the writer can time
/// arrival-to-wire. Events leave the pipeline in the order they were made, so a queue pairs them up.
/// </summary>
internal sealed class TimedFrameDiarizer(IFrameDiarizer inner, GrpcAudioSource audio, double hopSeconds, ConcurrentQueue<long> causes) : IFrameDiarizer
{
    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
    {
        int before = events.Count;
        inner.OnFrame(frameIndex, frame, events);
        if (events.Count > before)
        {
            long at = audio.ArrivalOf((frameIndex + 1) * hopSeconds);
            for (int i = before; i < events.Count; i++)
            {
                causes.Enqueue(at);
            }
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
