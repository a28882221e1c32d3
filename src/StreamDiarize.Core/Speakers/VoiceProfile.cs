// A known speaker: a name, the embedder kind that made its voice model, and the model itself.
namespace StreamDiarize.Core.Speakers;

/// <summary>
/// One enrolled voice. <paramref name="Kind"/> names the representation that made <paramref name="Model"/>
/// (<see cref="FeatureVoiceModeller.KindName"/> or an embedder's kind); a profile is only ever compared with speakers
/// modelled by the same kind.
/// </summary>
public sealed record VoiceProfile(string Name, string Kind, VoiceModel Model, double SpeechSeconds, int Clips, DateTimeOffset UpdatedUtc,
    string? Metadata = null);

/// <summary>What a profile name may be: shown on screens and written into RTTM, so short, printable and not an anonymous id.</summary>
public static class ProfileNames
{
    public const int MaxLength = 64;

    /// <summary>Null when <paramref name="name"/> is a valid profile name, else what is wrong and what to do.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "the speaker name is empty: give the person's name, e.g. Alice";
        }
        if (name.Length > MaxLength)
        {
            return $"the speaker name is {name.Length} characters long: use at most {MaxLength}";
        }
        if (name != name.Trim())
        {
            return $"the speaker name '{name}' starts or ends with white space: remove it";
        }
        foreach (char c in name)
        {
            // RTTM is split on white space, so a name is one token there; control characters would garble terminals.
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return $"the speaker name '{Printable(name)}' contains white space or a control character: use letters, digits, '-', '_' or '.', e.g. Alice_Smith";
            }
        }
        if (IsAnonymousId(name))
        {
            return $"the speaker name '{name}' looks like an anonymous speaker id (S0, S1, ...): choose another name";
        }
        return null;
    }

    /// <summary>True for the ids the diarizer gives unknown voices (S0, S1, ...).</summary>
    public static bool IsAnonymousId(string name)
    {
        if (name.Length < 2 || name[0] != 'S')
        {
            return false;
        }
        for (int i = 1; i < name.Length; i++)
        {
            if (!char.IsAsciiDigit(name[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static string Printable(string s)
    {
        var chars = s.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }
        return new string(chars);
    }
}
