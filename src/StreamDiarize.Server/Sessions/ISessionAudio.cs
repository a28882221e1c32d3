// What a session needs from its audio besides the samples: how much has come in, and when each part arrived.
using StreamDiarize.Core.Audio;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// A session's audio source as ListSessions, the live page and the latency metric see it. The gRPC request stream
/// (<see cref="GrpcAudioSource"/>) and a capture device (<see cref="CapturedSessionAudio"/>) both provide it.
/// </summary>
public interface ISessionAudio : IAudioSource
{
    /// <summary>Seconds of audio received so far.</summary>
    double SecondsReceived { get; }

    /// <summary>NaN or infinite samples replaced by silence so far (only float PCM can carry them).</summary>
    long NonFiniteSamples => 0;

    /// <summary>When the audio holding stream time <paramref name="streamSeconds"/> arrived (a Stopwatch timestamp); asked in increasing time order.</summary>
    long ArrivalOf(double streamSeconds);

    /// <summary>When the end of the stream was seen (or the last audio arrived, if the end has not come yet).</summary>
    long ArrivalOfEnd();

    /// <summary>When stream time <paramref name="streamSeconds"/> is due from a real-time source that started with this stream's first audio; 0 if unknown.</summary>
    long RealTimeDue(double streamSeconds) => 0;

    /// <summary>When the oldest audio received but not yet processed was due on the real-time schedule; 0 when none waits.</summary>
    long OldestPendingDue() => 0;

    /// <summary>The newest audio counts as on time from now on (the daemon had CPU to spare: lateness was the client's).</summary>
    void ForgiveLateness()
    {
    }
}
