using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Bottleneck.Torch.Tests;

/// <summary>
/// Lets TorchSharp 0.107's native glue load on Linux systems whose C++ library predates GCC 13,
/// such as Debian 12 (this project's CI). libLibTorchSharp.so asks libstdc++ for version
/// GLIBCXX_3.4.32 for one symbol only, std::ios_base_library_init, which GCC 13's iostream header
/// names so as to pull in the newer library and which nothing calls (the file has no relocation
/// against it). Marking that one version need weak (VER_FLG_WEAK in its Vernaux entry, the flag
/// the dynamic loader treats as "warn, do not fail") lets the loader accept the older libstdc++.
/// Only the copy in this program's output folder is changed, once, before TorchSharp starts.
/// </summary>
public static class LibTorchSharpOnOlderLinux
{
    private const string Version = "GLIBCXX_3.4.32";
    private const uint VersionNeeds = 0x6ffffffe; // SHT_GNU_verneed
    private const ushort Weak = 0x2; // VER_FLG_WEAK
    private static readonly Lock gate = new();
    private static bool done;

    /// <summary>Call before the first use of TorchSharp; does nothing off Linux or when already done.</summary>
    public static void Prepare()
    {
        lock (gate)
        {
            if (done) return;
            done = true;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
            string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            if (!File.Exists(path)) return;
            var bytes = File.ReadAllBytes(path);
            if (!WeakenVersionNeed(bytes, Version)) return;
            string temporary = path + ".weak";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
    }

    /// <summary>Sets the weak flag on every need of <paramref name="version"/> in a 64-bit little-endian ELF image; true when it changed a byte.</summary>
    internal static bool WeakenVersionNeed(Span<byte> elf, string version)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007fELF"u8) || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        ulong sectionTable = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        bool changed = false;
        for (int i = 0; i < count; i++)
        {
            var section = elf.Slice(checked((int)sectionTable + i * entrySize), 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != VersionNeeds) continue;
            int offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]));
            int strings = StringTableOffset(elf, sectionTable, entrySize, (int)BinaryPrimitives.ReadUInt32LittleEndian(section[0x28..]));
            int needs = (int)BinaryPrimitives.ReadUInt32LittleEndian(section[0x2C..]);
            for (int n = 0; n < needs; n++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[(offset + 2)..]);
                int aux = offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(offset + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    int name = strings + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..]);
                    int end = elf[name..].IndexOf((byte)0);
                    if (Encoding.ASCII.GetString(elf.Slice(name, end)) == version)
                    {
                        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 4)..]);
                        if ((flags & Weak) == 0)
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(elf[(aux + 4)..], (ushort)(flags | Weak));
                            changed = true;
                        }
                    }
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
                }
                offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(offset + 12)..]);
            }
        }
        return changed;
    }

    private static int StringTableOffset(ReadOnlySpan<byte> elf, ulong sectionTable, int entrySize, int index) =>
        checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice(checked((int)sectionTable + index * entrySize) + 0x18, 8)));
}
