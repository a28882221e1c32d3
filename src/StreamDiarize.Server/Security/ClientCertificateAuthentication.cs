// mTLS: client certificates validated by ASP.NET Core's certificate handler, then mapped to tenants by their SHA-256.
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace StreamDiarize.Server.Security;

/// <summary>
/// The certificate handler checks what a certificate can prove by itself (validity period, signature and chain, or a
/// self-signed one's own signature; client-authentication usage when it names usages); the operator's map
/// (Server:Auth:ClientCertificates) then says which tenant, if any, a certificate acts for. A pin per certificate keeps
/// trust in the operator's hands: no CA can issue a certificate that reaches a tenant.
/// </summary>
public static class ClientCertificateAuthentication
{
    private const string TenantClaim = "streamdiarize/tenant";

    /// <summary>Registers the handler when certificates are mapped; nothing otherwise.</summary>
    public static void Add(IServiceCollection services, AuthOptions auth)
    {
        if (auth.ClientCertificates.Count == 0)
        {
            return;
        }
        var tenants = auth.ClientCertificates.Values.ToDictionary(c => c.Sha256.ToLowerInvariant(), c => c.Tenant, StringComparer.Ordinal);
        services.AddAuthentication().AddCertificate(o =>
        {
            o.AllowedCertificateTypes = CertificateTypes.All;
            o.RevocationMode = X509RevocationMode.NoCheck; // Pinned certificates are revoked by removing the pin.
            o.ValidateValidityPeriod = true;
            o.ValidateCertificateUse = true;
            o.Events = new CertificateAuthenticationEvents
            {
                OnCertificateValidated = context =>
                {
                    if (tenants.TryGetValue(Sha256Of(context.ClientCertificate), out var tenant))
                    {
                        context.Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(TenantClaim, tenant)], context.Scheme.Name));
                        context.Success();
                    }
                    else
                    {
                        context.Fail("it is not mapped to a tenant (Server:Auth:ClientCertificates)");
                    }
                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>The hex SHA-256 of the certificate's DER bytes, the form Server:Auth:ClientCertificates pins.</summary>
    public static string Sha256Of(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    /// <summary>The tenant of the connection's client certificate, or null and why not.</summary>
    public static async Task<(string? Tenant, string Why)> TenantOfAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.Succeeded && result.Principal.FindFirst(TenantClaim)?.Value is { } tenant)
        {
            return (tenant, "");
        }
        string hash = Sha256Of(context.Connection.ClientCertificate!);
        return (null, $"the client certificate (SHA-256 {hash[..16]}...) is not accepted: {result.Failure?.Message ?? "it is not valid"}; " +
                      "ask the daemon's operator to map its SHA-256 to your tenant, or send an API key");
    }
}
