# Multi-stage build: the SDK image builds and publishes; the ASP.NET runtime image runs it as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/StreamDiarize.Cli/StreamDiarize.Cli.csproj -c Release -r linux-x64 --self-contained false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
COPY config/ /app/config/
# The aspnet image ships a non-root user named "app" (uid 1654).
USER app
# gRPC (HTTP/2) and the HTTP/1.1 endpoint for health checks and the web page.
EXPOSE 50051 8080
# A container listens on every interface, so the daemon needs API keys there: mount a key file of "TENANT SHA256HEX"
# lines at this path (docs/SECURITY.md); without it the daemon refuses to start and says why. Add TLS with
# STREAMDIARIZE__Server__Tls__CertificatePath/KeyPath.
ENV STREAMDIARIZE__Server__Auth__KeyFile=/run/secrets/streamdiarize-keys
ENTRYPOINT ["/app/streamdiarize"]
CMD ["serve", "--host", "0.0.0.0"]
