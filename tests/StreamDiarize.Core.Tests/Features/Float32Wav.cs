// Test-only reader for the shared AMI clips: RIFF/WAVE, IEEE float32 mono; walks chunks to find "data".
using System.Buffers.Binary;
using System.Text;

namespace StreamDiarize.Core.Tests.Features;

internal static class Float32Wav
{
    public static (float[] Samples, int SampleRateHz) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (Encoding.ASCII.GetString(bytes, 0, 4) != "RIFF" || Encoding.ASCII.GetString(bytes, 8, 4) != "WAVE")
        {
            throw new InvalidDataException(path + " is not a RIFF/WAVE file.");
        }
        int rate = 0;
        int pos = 12;
        while (pos + 8 <= bytes.Length)
        {
            string id = Encoding.ASCII.GetString(bytes, pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos + 4));
            var body = bytes.AsSpan(pos + 8, Math.Min(size, bytes.Length - pos - 8));
            if (id == "fmt ")
            {
                int format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                int channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                int bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format != 3 || channels != 1 || bits != 32)
                {
                    throw new InvalidDataException($"{path}: expected float32 mono, got format {format}, {channels} ch, {bits} bit.");
                }
            }
            else if (id == "data")
            {
                var samples = new float[body.Length / 4];
                for (int i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadSingleLittleEndian(body[(4 * i)..]);
                }
                return (samples, rate);
            }
            pos += 8 + size + (size & 1);
        }
        throw new InvalidDataException(path + " has no data chunk.");
    }
}
