// One recording's speaker turns with what a reader needs besides the times: duration, method, version, whether the count was estimated.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Streaming.Sinks.Formats;

/// <summary>
/// What every turn format writes from. <see cref="SpeakerCountEstimated"/> is false when the user fixed the count
/// (<c>--num-speakers</c>); then JSON says so and the CLI gives no advice on the count.
/// </summary>
public sealed record TurnDocument(
    string FileId,
    double DurationSeconds,
    string Method,
    string Version,
    IReadOnlyList<SpeakerSegment> Turns,
    bool SpeakerCountEstimated = true)
{
    /// <summary>The speakers in order of first appearance, with their speech time and turn count.</summary>
    public IReadOnlyList<(string Speaker, double SpeechSeconds, int Turns)> Speakers()
    {
        var order = new List<string>();
        var speech = new Dictionary<string, (double Seconds, int Turns)>(StringComparer.Ordinal);
        foreach (var t in Turns.OrderBy(t => t.StartSeconds))
        {
            if (!speech.TryGetValue(t.Speaker, out var s))
            {
                order.Add(t.Speaker);
                s = (0, 0);
            }
            speech[t.Speaker] = (s.Seconds + t.DurationSeconds, s.Turns + 1);
        }
        return order.Select(name => (name, speech[name].Seconds, speech[name].Turns)).ToList();
    }
}
