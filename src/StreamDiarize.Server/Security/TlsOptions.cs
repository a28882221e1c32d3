// TLS for both endpoints from Server:Tls: a PEM certificate and key, or a PKCS#12 (.pfx) file with its password.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StreamDiarize.Server.Security;

public sealed class TlsOptions
{
    /// <summary>A PEM certificate (with KeyPath), or a .pfx/.p12 file (with Password if it has one). Empty: no TLS.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of CertificatePath; leave empty for a .pfx.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The .pfx password, if any. Prefer STREAMDIARIZE__Server__Tls__Password to a file.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Client certificates (mTLS): Auto (asked for when Server:Auth:ClientCertificates maps any, else not), None, Allow
    /// (a client may present one; without it, it needs a key), or Require (no certificate, no connection).
    /// </summary>
    public string ClientCertificateMode { get; set; } = "Auto";

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>What Kestrel asks of clients, with <see cref="ClientCertificateMode"/> Auto resolved.</summary>
    public Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode KestrelClientCertificateMode(bool certificatesMapped) => ClientCertificateMode.Trim().ToLowerInvariant() switch
    {
        "allow" => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
        "require" => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate,
        "auto" when certificatesMapped => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
        _ => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate,
    };

    /// <summary>Problems of the client-certificate settings against the rest (mTLS needs TLS, and mapped certificates a mode that asks for them).</summary>
    public IReadOnlyList<string> ClientCertificateErrors(bool certificatesMapped)
    {
        string mode = ClientCertificateMode.Trim().ToLowerInvariant();
        if (mode is not ("auto" or "none" or "allow" or "require"))
        {
            return [$"Server:Tls:ClientCertificateMode '{ClientCertificateMode}' is invalid: use Auto, None, Allow or Require"];
        }
        if (certificatesMapped && !Enabled)
        {
            return ["Server:Auth:ClientCertificates needs TLS: set Server:Tls:CertificatePath (and KeyPath) as well"];
        }
        if (mode is "allow" or "require" && !certificatesMapped)
        {
            return [$"Server:Tls:ClientCertificateMode {ClientCertificateMode} maps no certificate to a tenant: add Server:Auth:ClientCertificates:LABEL:Sha256 and :Tenant"];
        }
        if (mode is "none" && certificatesMapped)
        {
            return ["Server:Tls:ClientCertificateMode None asks for no certificate, yet Server:Auth:ClientCertificates maps some: use Auto, Allow or Require"];
        }
        return [];
    }

    /// <summary>The server certificate with its private key; throws naming the setting and the problem.</summary>
    public X509Certificate2 Load()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new Core.Options.OptionsValidationException(errors);
        }
        return LoadUnchecked();
    }

    public IReadOnlyList<string> GetValidationErrors()
    {
        if (!Enabled)
        {
            return string.IsNullOrWhiteSpace(KeyPath) ? [] : ["Server:Tls:KeyPath is set without Server:Tls:CertificatePath: give the certificate too"];
        }
        if (!File.Exists(CertificatePath))
        {
            return [$"Server:Tls:CertificatePath '{CertificatePath}' does not exist: give a PEM certificate (with KeyPath) or a .pfx file"];
        }
        if (!string.IsNullOrWhiteSpace(KeyPath) && !File.Exists(KeyPath))
        {
            return [$"Server:Tls:KeyPath '{KeyPath}' does not exist: give the PEM private key of the certificate"];
        }
        try
        {
            using var certificate = LoadUnchecked();
            return certificate.HasPrivateKey ? [] : [$"Server:Tls: the certificate in '{CertificatePath}' has no private key: give KeyPath, or a .pfx that holds the key"];
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return [$"Server:Tls: cannot read the certificate '{CertificatePath}'{(string.IsNullOrWhiteSpace(KeyPath) ? "" : $" with key '{KeyPath}'")}: {ex.Message}"];
        }
    }

    private X509Certificate2 LoadUnchecked() => string.IsNullOrWhiteSpace(KeyPath)
        ? X509CertificateLoader.LoadPkcs12FromFile(CertificatePath!, Password)
        : X509Certificate2.CreateFromPemFile(CertificatePath!, KeyPath);
}
