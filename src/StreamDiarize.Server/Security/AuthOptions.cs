// Who may use the daemon: API keys (stored as SHA-256 hashes) mapped to tenants, from configuration or a key file.
using System.Net;

namespace StreamDiarize.Server.Security;

/// <summary>One key as configuration binds it (Server:Auth:Keys:LABEL:Sha256 and :Tenant).</summary>
public sealed class ApiKeyDeclaration
{
    /// <summary>Hex SHA-256 of the key's UTF-8 bytes (`printf %s "$KEY" | sha256sum`); the key itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>The tenant the key acts for: it sees and watches only its own sessions.</summary>
    public string Tenant { get; set; } = "";
}

/// <summary>Server:Auth. Authentication is on as soon as a key, a key file or a client certificate is configured.</summary>
public sealed class AuthOptions
{
    /// <summary>Keys by a label of the operator's choice (the label is not secret and not used to log in).</summary>
    public Dictionary<string, ApiKeyDeclaration> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A file of "TENANT SHA256HEX" lines (# comments), re-read when it changes: keys rotate without a restart.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Client certificates (mTLS) by a label: the SHA-256 of the certificate (`openssl x509 -in c.crt -outform der |
    /// sha256sum`) and the tenant it acts for. Needs Server:Tls; a key still works beside a certificate.
    /// </summary>
    public Dictionary<string, ApiKeyDeclaration> ClientCertificates { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => Keys.Count > 0 || !string.IsNullOrWhiteSpace(KeyFile) || ClientCertificates.Count > 0;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        foreach (var (label, key) in Keys)
        {
            errors.AddRange(ApiKeyStore.ProblemsOf(key.Tenant, key.Sha256).Select(p => $"Server:Auth:Keys:{label}: {p}"));
        }
        foreach (var (label, certificate) in ClientCertificates)
        {
            errors.AddRange(ApiKeyStore.ProblemsOf(certificate.Tenant, certificate.Sha256)
                .Select(p => $"Server:Auth:ClientCertificates:{label}: {p.Replace("of the key (printf %s \"$KEY\" | sha256sum)", "of the certificate (openssl x509 -in CERT -outform der | sha256sum)", StringComparison.Ordinal)}"));
        }
        if (!string.IsNullOrWhiteSpace(KeyFile))
        {
            if (!File.Exists(KeyFile))
            {
                errors.Add($"Server:Auth:KeyFile '{KeyFile}' does not exist: create it with one 'TENANT SHA256HEX' line per key (docs/SECURITY.md)");
            }
            else
            {
                errors.AddRange(ApiKeyStore.ParseKeyFile(KeyFile).Errors.Select(e => "Server:Auth:KeyFile: " + e));
            }
        }
        return errors;
    }

    /// <summary>True for interfaces only this machine can reach.</summary>
    public static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>The loopback rule for Kestrel's own endpoint configuration, which replaces Server:Host.</summary>
public static class ExposureCheck
{
    /// <summary>Throws when a Kestrel:Endpoints URL listens beyond loopback while no keys are configured and --insecure is not given.</summary>
    public static void ThrowIfExposed(Microsoft.Extensions.Configuration.IConfiguration config, ServerOptions options)
    {
        if (options.Auth.Enabled || options.Insecure)
        {
            return;
        }
        foreach (var endpoint in config.GetSection("Kestrel:Endpoints").GetChildren())
        {
            string url = endpoint["Url"] ?? "";
            string host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
            host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
            if (!AuthOptions.IsLoopback(host))
            {
                throw new Core.Options.OptionsValidationException(
                    [$"Kestrel:Endpoints:{endpoint.Key}:Url {url} is reachable from other machines and no API keys are configured: configure Server:Auth keys (docs/SECURITY.md) or pass --insecure"]);
            }
        }
    }
}
