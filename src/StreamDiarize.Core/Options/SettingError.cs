// One problem with one setting, keyed by the setting's name, so each surface (CLI flag, proto field, config key)
// can name the setting its own way without reading the message.
namespace StreamDiarize.Core.Options;

/// <param name="Key">The setting's property name (nameof), the key a surface maps to its own name.</param>
/// <param name="Message">What was wrong and what is allowed, for people.</param>
public readonly record struct SettingError(string Key, string Message);
