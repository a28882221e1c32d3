// The keys in force: configuration's plus the key file's, the file re-read (at most once a second) when it changes.
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace StreamDiarize.Server.Security;

public sealed partial class ApiKeyStore
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(1);

    private readonly AuthOptions _options;
    private readonly ILogger<ApiKeyStore> _logger;
    private readonly Dictionary<string, string> _configured;
    private readonly Lock _gate = new();
    private Dictionary<string, string> _fromFile = new(StringComparer.Ordinal);
    private DateTime _fileStamp;
    private long _fileLength = -1;
    private long _nextCheck;

    public ApiKeyStore(AuthOptions options, ILogger<ApiKeyStore> logger)
    {
        _options = options;
        _logger = logger;
        _configured = options.Keys.Values.ToDictionary(k => k.Sha256.ToLowerInvariant(), k => k.Tenant, StringComparer.Ordinal);
        ReloadIfChanged(force: true);
    }

    public bool Enabled => _options.Enabled;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HashPattern();

    /// <summary>The tenant <paramref name="key"/> acts for, or null when it is not a key in force.</summary>
    public string? TenantOf(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 1024)
        {
            return null;
        }
        ReloadIfChanged(force: false);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        lock (_gate)
        {
            return _configured.TryGetValue(hash, out var tenant) || _fromFile.TryGetValue(hash, out tenant) ? tenant : null;
        }
    }

    private void ReloadIfChanged(bool force)
    {
        if (string.IsNullOrWhiteSpace(_options.KeyFile))
        {
            return;
        }
        long now = Environment.TickCount64;
        if (!force && now < Interlocked.Read(ref _nextCheck))
        {
            return;
        }
        Interlocked.Exchange(ref _nextCheck, now + (long)RecheckEvery.TotalMilliseconds);
        var info = new FileInfo(_options.KeyFile);
        if (!info.Exists)
        {
            _logger.LogWarning("Key file {KeyFile} has gone: keeping the {Count} keys read before; restore it to change keys", _options.KeyFile, _fromFile.Count);
            return;
        }
        if (info.LastWriteTimeUtc == _fileStamp && info.Length == _fileLength)
        {
            return;
        }
        var (keys, errors) = ParseKeyFile(info.FullName);
        if (errors.Count > 0)
        {
            _logger.LogWarning("Key file {KeyFile} not reloaded, keeping the keys read before: {Errors}", _options.KeyFile, string.Join("; ", errors));
            return;
        }
        lock (_gate)
        {
            _fromFile = keys;
            _fileStamp = info.LastWriteTimeUtc;
            _fileLength = info.Length;
        }
        if (!force)
        {
            _logger.LogInformation("Key file {KeyFile} reloaded: {Count} keys", _options.KeyFile, keys.Count);
        }
    }

    /// <summary>Hash -> tenant from a key file, and every problem by line number (the lines themselves are not echoed: they hold hashes).</summary>
    public static (Dictionary<string, string> Keys, List<string> Errors) ParseKeyFile(string path)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"cannot read it: {ex.Message}");
            return (keys, errors);
        }
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                errors.Add($"line {i + 1}: expected 'TENANT SHA256HEX'");
                continue;
            }
            var problems = ProblemsOf(parts[0], parts[1]);
            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => $"line {i + 1}: {p}"));
                continue;
            }
            keys[parts[1].ToLowerInvariant()] = parts[0];
        }
        return (keys, errors);
    }

    /// <summary>What is wrong with one key declaration (tenant name, hash shape).</summary>
    public static IReadOnlyList<string> ProblemsOf(string tenant, string sha256)
    {
        var problems = new List<string>();
        if (!TenantPattern().IsMatch(tenant))
        {
            problems.Add("the tenant must be 1 to 64 letters, digits, '.', '-' or '_'");
        }
        if (!HashPattern().IsMatch(sha256))
        {
            problems.Add("the hash must be 64 hex digits, the SHA-256 of the key (printf %s \"$KEY\" | sha256sum)");
        }
        return problems;
    }
}
