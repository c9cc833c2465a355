// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): the loader's fast path (Platform,
// FindLibrary) and the warm-up thread the import starts (WarmUp).
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Globalization;
    using System.IO;
    using System.Reflection;
    using System.Threading;

    public static partial class Native__SUFFIX__
    {
        // ---- the loader's fast path (Native.ps1, Initialize-CsodNative) ---------

        // The files this type was compiled from, in order, with their length
        // and write time ("Calls.cs|12213|639315890645511224|Loading.cs|...",
        // Get-CsodInteropFileStamp), filled in by the loader like the
        // placeholders of Calls.cs.
        public const string SourceStamp = "__STAMP__";

        // Whether moduleRoot's Private/Interop/ holds exactly these files
        // (the module's list, in order) with the lengths and write times
        // this type was compiled from: a stat each, no read. The import
        // keeps a compiled copy only then, so an edit of any file compiles
        // the bridge again.
        public static bool SourceUnchanged(string moduleRoot, string[] files)
        {
            try
            {
                string[] parts = SourceStamp.Split('|');
                if (files == null || files.Length == 0 || parts.Length != files.Length * 3)
                {
                    return false;
                }
                string dir = Path.Combine(Path.Combine(moduleRoot, "Private"), "Interop");
                for (int i = 0; i < files.Length; i++)
                {
                    if (parts[i * 3] != files[i])
                    {
                        return false;
                    }
                    FileInfo f = new FileInfo(Path.Combine(dir, files[i]));
                    if (!f.Exists
                        || f.Length.ToString(CultureInfo.InvariantCulture) != parts[i * 3 + 1]
                        || f.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) != parts[i * 3 + 2])
                    {
                        return false;
                    }
                }
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }

        // The OS, process architecture, runtime identifier and library file
        // name, by Get-CsodPlatform's rules: @{ Os; OsName; Arch; Rid;
        // LibraryName }. The import asks here once it loaded a compiled copy
        // (a PowerShell version of these few lines costs ~25 ms cold).
        public static Hashtable Platform()
        {
            string os = "linux";
            string arch = null;
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                os = "win";
                string env = Environment.GetEnvironmentVariable("PROCESSOR_ARCHITECTURE");
                if (env == "AMD64")
                {
                    arch = "x64";
                }
                else if (env == "x86")
                {
                    arch = "x86";
                }
                else if (env == "ARM64")
                {
                    arch = "arm64";
                }
            }
            else
            {
                if (Environment.OSVersion.Platform == PlatformID.MacOSX || Directory.Exists("/System/Library/CoreServices"))
                {
                    os = "osx";
                }
                // RuntimeInformation (by name: .NET Framework 4.5 lacks it;
                // outside Windows this is .NET, which has it).
                Type info = Type.GetType("System.Runtime.InteropServices.RuntimeInformation, System.Runtime.InteropServices.RuntimeInformation", false);
                if (info == null)
                {
                    info = typeof(object).Assembly.GetType("System.Runtime.InteropServices.RuntimeInformation", false);
                }
                if (info != null)
                {
                    PropertyInfo p = info.GetProperty("ProcessArchitecture", BindingFlags.Public | BindingFlags.Static);
                    if (p != null)
                    {
                        arch = Convert.ToString(p.GetValue(null, null), CultureInfo.InvariantCulture).ToLowerInvariant();
                    }
                }
            }
            if (arch == null)
            {
                arch = IntPtr.Size == 8 ? "x64" : "x86";
            }
            string file = "libcsod.so";
            string name = "Linux";
            if (os == "win")
            {
                file = "csod.dll";
                name = "Windows";
            }
            else if (os == "osx")
            {
                file = "libcsod.dylib";
                name = "macOS";
            }
            Hashtable platform = new Hashtable(StringComparer.OrdinalIgnoreCase);
            platform["Os"] = os;
            platform["OsName"] = name;
            platform["Arch"] = arch;
            platform["Rid"] = os + "-" + arch;
            platform["LibraryName"] = file;
            return platform;
        }

        // The library the module's rules pick (Get-CsodLibraryCandidates and
        // Initialize-CsodNative): $env:CSOD_LIBRARY (overridePath) made
        // absolute, else the packaged bin/<rid>/<file> when it exists, else
        // the newer of the checkout's target/release and target/debug builds
        // that exist; null when none does.
        public static string FindLibrary(string moduleRoot, string overridePath, Hashtable platform)
        {
            if (!String.IsNullOrEmpty(overridePath))
            {
                return Path.GetFullPath(overridePath);
            }
            string file = (string)platform["LibraryName"];
            string packaged = Path.Combine(Path.Combine(Path.Combine(moduleRoot, "bin"), (string)platform["Rid"]), file);
            if (File.Exists(packaged))
            {
                return packaged;
            }
            string checkout = Path.GetFullPath(Path.Combine(moduleRoot, ".."));
            string release = Path.Combine(Path.Combine(Path.Combine(checkout, "target"), "release"), file);
            string debug = Path.Combine(Path.Combine(Path.Combine(checkout, "target"), "debug"), file);
            bool hasRelease = File.Exists(release);
            bool hasDebug = File.Exists(debug);
            if (hasRelease && hasDebug && File.GetLastWriteTimeUtc(debug) > File.GetLastWriteTimeUtc(release))
            {
                return debug;
            }
            if (hasRelease)
            {
                return release;
            }
            return hasDebug ? debug : null;
        }

        // What a first diagnosis of an error calls here after the import
        // (Workers.ps1: InputKind, ReadError, HostFacts, the request's JSON,
        // the diagnose call, the document's JSON, the Diagnosis), compiled
        // by the warm-up thread. A name missing here only costs its JIT on
        // the pipeline thread.
        private static readonly string[] FirstAnswerMethods = new string[]
        {
            "InputKind", "ReadError", "IsPSObject", "PSBase", "Member", "MemberText", "TypeNames", "TypeName", "IsA",
            "ExceptionChain", "IsWrapper", "HostFacts", "Items", "WsmanClient", "ToJson", "Unwrap", "WriteJson",
            "WriteString", "BeginDiagnose", "ParseJson", "SkipSpace", "ParseValue", "Expect", "ParseString",
            "DiagnosisObject", "MatchRows", "FindingRows", "StringList", "EvidenceList", "NewObject",
            "ExecutionPolicyCommand", "LoadedAssemblies"
        };

        // Gets the first answer ready on a thread of its own while PowerShell
        // goes on with the import: the library builds its catalog and
        // compiled patterns, the output languages are read, and this class's
        // methods are compiled (JIT) off the pipeline's thread. Failures are
        // left to the real calls to report.
        // Called at import: on a thread of its own, the library builds its
        // catalog and patterns (its first call's cost, ~30 ms), the
        // PowerShell types this class builds objects with are looked up,
        // the host facts' cmdlets get their parameter metadata
        // (WarmCmdletMetadata) and the methods a first diagnosis of an
        // error calls are compiled (FirstAnswerMethods), while the import
        // and the command's binding go on. Only those: compiling every method ahead of time cost a
        // first answer more than it saved when the machine's other cores
        // are busy (scripts/bench), as the JIT then competes with the
        // pipeline thread.
        // The parameter metadata of the cmdlets the host facts run
        // (Get-Module, Get-PSSession, Get-ExecutionPolicy), which
        // PowerShell builds by reflection on a cmdlet's first use and keeps
        // for the process: built here (the public CommandMetadata(Type)
        // constructor), on the warm-up thread.
        private static void WarmCmdletMetadata()
        {
            Type sma = psObjectType;
            if (sma == null)
            {
                return;
            }
            Type metadata = sma.Assembly.GetType("System.Management.Automation.CommandMetadata", false);
            if (metadata == null)
            {
                return;
            }
            ConstructorInfo ctor = metadata.GetConstructor(new Type[] { typeof(Type) });
            if (ctor == null)
            {
                return;
            }
            foreach (Type cmdlet in new Type[] {
                sma.Assembly.GetType("Microsoft.PowerShell.Commands.GetModuleCommand", false),
                sma.Assembly.GetType("Microsoft.PowerShell.Commands.GetPSSessionCommand", false),
                ExecutionPolicyCommand() })
            {
                if (cmdlet != null)
                {
                    try
                    {
                        ctor.Invoke(new object[] { cmdlet });
                    }
                    catch (Exception)
                    {
                    }
                }
            }
        }

        public static void WarmUp()
        {
            Thread t = new Thread(delegate()
            {
                try
                {
                    csod_wstring_free(csod_classify_w("csod warm-up", "en"));
                    OutputLanguages();
                    PowerShellTypes();
                    WarmCmdletMetadata();
                    foreach (MethodInfo m in typeof(Native__SUFFIX__).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
                    {
                        if (Array.IndexOf(FirstAnswerMethods, m.Name) >= 0 && !m.ContainsGenericParameters)
                        {
                            System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
                        }
                    }
                    foreach (MethodInfo m in typeof(DiagnoseCall).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                    {
                        if (!m.IsAbstract && (m.Attributes & MethodAttributes.PinvokeImpl) == 0)
                        {
                            System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
                        }
                    }
                }
                catch (Exception)
                {
                }
            });
            t.IsBackground = true;
            t.Name = "csod warm-up";
            t.Start();
        }
    }
}
