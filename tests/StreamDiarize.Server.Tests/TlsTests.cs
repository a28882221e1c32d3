// TLS from configuration: a self-signed certificate made in the test serves a gRPC session and the HTTP endpoint over https.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class TlsTests
{
    internal static (string CertPath, string KeyPath, string Thumbprint) SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=streamdiarize-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var dir = RepoPaths.NewTempDir();
        var certPath = Path.Combine(dir, "server.crt");
        var keyPath = Path.Combine(dir, "server.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, certificate.Thumbprint);
    }

    /// <summary>Trusts exactly the test's certificate, as a client pinning it would.</summary>
    private static SocketsHttpHandler Pinned(string thumbprint) => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && c.Thumbprint == thumbprint },
    };

    [Fact]
    public async Task A_self_signed_certificate_from_configuration_serves_a_session_over_https_and_the_page_endpoint_too()
    {
        var (cert, key, thumbprint) = SelfSigned();
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:Tls:CertificatePath", cert), ("Server:Tls:KeyPath", key));
        using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{daemon.GrpcPort}", new GrpcChannelOptions { HttpHandler = Pinned(thumbprint) });
        var client = new Diarizer.DiarizerClient(channel);

        using var call = client.Diarize();
        var sending = TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(2), TestAudio.F32Config("over-tls"));
        var events = await TestAudio.ReadAllAsync(call.ResponseStream);
        await sending;
        using var http = new HttpClient(Pinned(thumbprint));
        var health = await http.GetStringAsync($"https://127.0.0.1:{daemon.HttpPort}/healthz");

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("over-tls", events[0].SessionStarted.SessionId);
        Assert.Equal(EndReason.AudioEnded, events[^1].SessionEnded.Reason);
        Assert.True(events[^1].SessionEnded.SegmentCount > 0);
        Assert.Equal("Healthy", health);
        // Plain text to the TLS port is not served.
        using var plain = new HttpClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync($"http://127.0.0.1:{daemon.HttpPort}/healthz"));
    }

    [Fact]
    public void A_key_that_does_not_match_the_certificate_is_refused_at_start_naming_the_files()
    {
        var (cert, _, _) = SelfSigned();
        var (_, otherKey, _) = SelfSigned();

        var ex = Assert.Throws<Core.Options.OptionsValidationException>(() => ServerHost.Build([], new ServerHostOptions
        {
            Overrides = [new("Server:Tls:CertificatePath", cert), new("Server:Tls:KeyPath", otherKey)],
        }));

        Assert.Contains($"Server:Tls: cannot read the certificate '{cert}' with key '{otherKey}'", ex.Message);
    }
}
