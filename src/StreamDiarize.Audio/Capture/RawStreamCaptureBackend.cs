// Raw PCM from a stream (stdin for `mic --input -`, a pipe from arecord, sox or ffmpeg) as a capture device.
namespace StreamDiarize.Audio.Capture;

/// <summary>
/// Decodes headerless PCM in <paramref name="format"/> as it arrives. A pipe can wait, so this source is not live:
/// when the pipeline falls behind, the capture thread stops reading and the producer blocks, and no audio is lost.
/// A read from stdin cannot be interrupted; stopping abandons the (background) thread until the producer writes or closes.
/// </summary>
public sealed class RawStreamCaptureBackend(Stream stream, RawPcmFormat format, string name = "stdin") : ICaptureBackend
{
    public const string BackendName = "stdin";

    public string Name => BackendName;

    public IReadOnlyList<CaptureDevice> ListDevices() => [new CaptureDevice(name, $"raw {format.Encoding} PCM, {format.SampleRateHz} Hz, {format.Channels} channel(s)", true)];

    public ICaptureStream Open(string? device, int sampleRateHz, int framesPerRead)
    {
        var errors = format.GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new CaptureException(name, CaptureErrorKind.Failed, $"{name}: {string.Join("; ", errors)}");
        }
        // The stream's rate is what it is; the pipeline resamples it to 16 kHz.
        return new RawCaptureStream(stream, format, name, framesPerRead);
    }

    private sealed class RawCaptureStream(Stream stream, RawPcmFormat format, string name, int framesPerRead) : ICaptureStream
    {
        public string DeviceName => name;

        public int SampleRateHz => format.SampleRateHz;

        public bool IsLive => false;

        public void Run(ICaptureSink sink, CancellationToken stop)
        {
            int frameBytes = format.BytesPerFrame;
            var bytes = new byte[framesPerRead * frameBytes];
            var samples = new float[framesPerRead];
            int held = 0; // bytes of an incomplete frame carried to the next read
            while (!stop.IsCancellationRequested)
            {
                int got = stream.Read(bytes, held, bytes.Length - held);
                if (got == 0)
                {
                    if (held > 0)
                    {
                        throw new CaptureException(name, CaptureErrorKind.Failed,
                            $"{name}: the stream ended inside a frame ({held} of {frameBytes} bytes): it is truncated or not {format.Encoding} with {format.Channels} channel(s)");
                    }
                    return;
                }
                int total = held + got;
                int whole = total / frameBytes * frameBytes;
                int n = PcmConverter.DecodeToMono(bytes.AsSpan(0, whole), format, samples);
                held = total - whole;
                bytes.AsSpan(whole, held).CopyTo(bytes);
                sink.Write(samples.AsSpan(0, n));
            }
        }

        public void Dispose()
        {
            // The stream belongs to whoever made the backend (stdin is never closed here).
        }
    }
}
