// Random meeting-flavoured sentences of a requested word count from a small built-in vocabulary, driven by a seeded Random.
namespace StreamDiarize.Synth;

internal static class SentenceGenerator
{
    private static readonly string[] Subjects =
    [
        "the team", "our client", "the manager", "the new design", "this budget", "the report", "my colleague",
        "the vendor", "the prototype", "the board", "the schedule", "everyone", "the customer", "the test plan",
    ];

    private static readonly string[] Verbs =
    [
        "needs", "reviewed", "will change", "approved", "should see", "moved", "expects", "covers", "delayed",
        "improves", "explains", "supports", "questioned", "finished",
    ];

    private static readonly string[] Adjectives =
    [
        "final", "early", "small", "large", "second", "careful", "simple", "quarterly", "remote", "better", "rough",
        "weekly", "urgent", "shared",
    ];

    private static readonly string[] Objects =
    [
        "proposal", "estimate", "meeting", "interface", "launch", "contract", "remote control", "battery", "market",
        "timeline", "feedback", "prices", "material", "summary", "drawing", "figures",
    ];

    private static readonly string[] Tails =
    [
        "before friday", "after lunch", "next week", "for the demo", "by the deadline", "in the morning",
        "on the whole", "with some luck", "this quarter", "at the workshop",
    ];

    private static readonly string[] Joins = ["and", "but", "so", "because", "although"];

    private static readonly string[] Fillers = ["okay", "right", "yes", "well", "sure", "exactly", "no", "good point"];

    /// <summary>A sentence of about <paramref name="words"/> words (at least one); 1 to 2 words gives a short backchannel.</summary>
    public static string Next(Random rng, int words)
    {
        if (words <= 2)
        {
            return Pick(rng, Fillers);
        }
        var parts = new List<string>();
        int count = 0;
        while (count < words)
        {
            if (parts.Count > 0)
            {
                parts.Add(Pick(rng, Joins));
                count++;
            }
            // A clause is subject + verb + "the" [adjective] object [tail]: 4 to 9 words.
            var clause = $"{Pick(rng, Subjects)} {Pick(rng, Verbs)} the";
            if (rng.Next(2) == 0)
            {
                clause += " " + Pick(rng, Adjectives);
            }
            clause += " " + Pick(rng, Objects);
            if (words - count - WordCount(clause) >= 2 && rng.Next(2) == 0)
            {
                clause += " " + Pick(rng, Tails);
            }
            parts.Add(clause);
            count += WordCount(clause);
        }
        return string.Join(' ', parts);
    }

    private static int WordCount(string text) => text.Count(c => c == ' ') + 1;

    private static string Pick(Random rng, string[] items) => items[rng.Next(items.Length)];
}
