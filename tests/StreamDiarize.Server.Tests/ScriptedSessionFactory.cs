// A small deterministic session factory for unit-level server tests: its events are known in advance and cheap to make.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Server.Tests;

/// <summary>
/// Frames are 10 ms of mean absolute amplitude. Every <c>turnFrames</c> frames a final turn closes and the speaker
/// alternates S0, S1; each turn also brings a SpeakerChange. At frame 250 the first second is relabelled S0 -> S1,
/// exercising Relabel. Complete() closes the last turn and sends SessionEnded.
/// </summary>
public sealed class ScriptedSessionFactory(int turnFrames = 50) : ISessionComponentsFactory
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<SessionOptions> _created = new();

    /// <summary>The options of every session made so far, in order.</summary>
    public IReadOnlyCollection<SessionOptions> Created => _created;

    public SessionComponents Create(SessionOptions options)
    {
        _created.Enqueue(options);
        return new(new MeanAbsAnalyzer(), new AlternatingDiarizer(turnFrames));
    }

    private sealed class MeanAbsAnalyzer : IFrameAnalyzer
    {
        private const int Hop = 160;
        private readonly float[] _pending = new float[Hop];
        private int _filled;
        private long _frame;

        public int Dims => 1;

        public double HopSeconds => 0.01;

        public void Push(ReadOnlySpan<float> samples, IFrameSink sink)
        {
            foreach (var s in samples)
            {
                _pending[_filled++] = s;
                if (_filled == Hop)
                {
                    Emit(sink);
                }
            }
        }

        public void Flush(IFrameSink sink)
        {
            if (_filled > 0)
            {
                Emit(sink);
            }
        }

        private void Emit(IFrameSink sink)
        {
            float sum = 0;
            for (int i = 0; i < _filled; i++)
            {
                sum += Math.Abs(_pending[i]);
            }
            Span<float> frame = [sum / _filled];
            sink.OnFrame(_frame++, frame);
            _filled = 0;
        }
    }

    private sealed class AlternatingDiarizer(int turnFrames) : IFrameDiarizer
    {
        private long _frames;
        private long _turnStart;
        private int _turns;
        private double _speech;

        private static string Speaker(int turn) => turn % 2 == 0 ? "S0" : "S1";

        public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
        {
            _frames = frameIndex + 1;
            if (frameIndex == 0)
            {
                events.Add(new SpeakerAddedEvent(0, "S0"));
                events.Add(new SpeakerChangeEvent(0, null, "S0"));
            }
            if (_frames - _turnStart == turnFrames)
            {
                CloseTurn(events);
                if (_turns == 1)
                {
                    events.Add(new SpeakerAddedEvent(_frames / 100.0, "S1"));
                }
                events.Add(new SpeakerChangeEvent(_frames / 100.0, Speaker(_turns - 1), Speaker(_turns)));
            }
            if (frameIndex == 250)
            {
                events.Add(new RelabelEvent(2.5, 0, 1, "S0", "S1"));
            }
        }

        public void Complete(List<DiarizationEvent> events)
        {
            if (_frames > _turnStart)
            {
                CloseTurn(events);
            }
            events.Add(new SessionEndedEvent(_frames / 100.0, Math.Min(_turns, 2), _speech, _turns));
        }

        private void CloseTurn(List<DiarizationEvent> events)
        {
            var segment = new SpeakerSegment(_turnStart / 100.0, _frames / 100.0, Speaker(_turns));
            events.Add(new SegmentEvent(segment, IsFinal: true));
            _speech += segment.DurationSeconds;
            _turns++;
            _turnStart = _frames;
        }
    }
}
