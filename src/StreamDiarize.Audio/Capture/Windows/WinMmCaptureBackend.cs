// Windows capture with NAudio's WaveIn (winmm). UNTESTED here: the CI and dev machines run Linux.
using System.Runtime.Versioning;
using NAudio.Wave;

namespace StreamDiarize.Audio.Capture.Windows;

/// <summary>
/// NAudio's WaveIn (formerly WaveInEvent) records 16-bit mono at the asked rate (Windows converts); its callback thread converts to float
/// and writes the ring, and the capture thread only waits for stop. Device names are the WaveIn product names, or
/// their numbers ("0", "1"). It is compiled everywhere so that the build checks it, but runs only on Windows.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class WinMmCaptureBackend : ICaptureBackend
{
    public const string BackendName = CaptureBackends.WinMmName;

    public string Name => BackendName;

    public IReadOnlyList<CaptureDevice> ListDevices()
    {
        var devices = new List<CaptureDevice>();
        for (int i = 0; i < WaveIn.DeviceCount; i++)
        {
            devices.Add(new CaptureDevice(WaveIn.GetCapabilities(i).ProductName, $"WaveIn device {i}", i == 0));
        }
        return devices;
    }

    public ICaptureStream Open(string? device, int sampleRateHz, int framesPerRead)
    {
        var shown = device ?? "default";
        int number = 0;
        if (device is not null && !int.TryParse(device, out number))
        {
            number = -1;
            for (int i = 0; i < WaveIn.DeviceCount; i++)
            {
                if (string.Equals(WaveIn.GetCapabilities(i).ProductName, device, StringComparison.OrdinalIgnoreCase))
                {
                    number = i;
                }
            }
        }
        if (number < 0 || number >= Math.Max(1, WaveIn.DeviceCount))
        {
            throw CaptureException.NoSuchDevice(BackendName, shown);
        }
        var waveIn = new WaveIn
        {
            DeviceNumber = number,
            WaveFormat = new WaveFormat(sampleRateHz, 16, 1),
            BufferMilliseconds = Math.Max(10, framesPerRead * 1000 / sampleRateHz),
        };
        return new WinMmCaptureStream(waveIn, shown, sampleRateHz);
    }

    private sealed class WinMmCaptureStream(WaveIn waveIn, string device, int sampleRateHz) : ICaptureStream
    {
        private float[] _samples = [];

        public string DeviceName => device;

        public int SampleRateHz => sampleRateHz;

        public bool IsLive => true;

        public void Run(ICaptureSink sink, CancellationToken stop)
        {
            Exception? failure = null;
            using var stopped = new ManualResetEventSlim();
            void OnData(object? sender, WaveInEventArgs e)
            {
                int n = e.BytesRecorded / 2;
                if (_samples.Length < n)
                {
                    _samples = new float[n];
                }
                for (int i = 0; i < n; i++)
                {
                    _samples[i] = BitConverter.ToInt16(e.Buffer, 2 * i) / 32768f;
                }
                sink.Write(_samples.AsSpan(0, n));
            }
            void OnStopped(object? sender, StoppedEventArgs e)
            {
                failure = e.Exception;
                stopped.Set();
            }
            waveIn.DataAvailable += OnData;
            waveIn.RecordingStopped += OnStopped;
            try
            {
                waveIn.StartRecording();
            }
            catch (Exception ex)
            {
                throw new CaptureException(device, CaptureErrorKind.Failed, $"capture device '{device}' failed to start: {ex.Message}; check Settings > Privacy > Microphone", ex);
            }
            WaitHandle.WaitAny([stop.WaitHandle, stopped.WaitHandle]);
            waveIn.StopRecording();
            stopped.Wait(TimeSpan.FromSeconds(2), CancellationToken.None);
            if (failure is not null)
            {
                throw new CaptureException(device, CaptureErrorKind.Failed, $"capture from '{device}' stopped: {failure.Message}", failure);
            }
        }

        public void Dispose() => waveIn.Dispose();
    }
}
