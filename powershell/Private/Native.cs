// P/Invoke bridge to the csod native library. The module fills in the two
// placeholders (the library's absolute path and a suffix that makes the type
// name unique for this source text) before it hands this file to Add-Type.
// It must compile as C# 5 on .NET Framework 4.x (Windows PowerShell 5.1's
// compiler): no string interpolation, no nameof, no expression bodies.
// Strings cross as UTF-16 (the library's _w functions); every string the
// library returns is copied and then freed with csod_wstring_free.
//
// Besides the calls, the module's helpers that must be fast on a first call
// live here: JSON in and out (ConvertTo-Json / ConvertFrom-Json would load
// Microsoft.PowerShell.Utility, ~200 ms of a fresh session), text cleaning,
// the cancellable diagnose (DiagnoseCall) and the file scanner (ScanCall).
// The Try* methods and the two call objects never throw for a failure of the
// library or of the file system: they return the reason, so that the module
// writes exactly one ErrorRecord per failure.
using System;
using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace CsOnlineDiagnostics.Interop
{
    public static class Native__SUFFIX__
    {
        public const string LibraryPath = @"__LIBRARY__";

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_abi_version")]
        private static extern uint csod_abi_version();

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_version")]
        private static extern IntPtr csod_version();

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_classify_w")]
        private static extern IntPtr csod_classify_w(
            [MarshalAs(UnmanagedType.LPWStr)] string text,
            [MarshalAs(UnmanagedType.LPWStr)] string language);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_classify_record_w")]
        private static extern IntPtr csod_classify_record_w(
            [MarshalAs(UnmanagedType.LPWStr)] string recordJson,
            [MarshalAs(UnmanagedType.LPWStr)] string language);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_catalog_w")]
        private static extern IntPtr csod_catalog_w([MarshalAs(UnmanagedType.LPWStr)] string language);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_diagnose_w")]
        private static extern IntPtr csod_diagnose_w([MarshalAs(UnmanagedType.LPWStr)] string requestJson);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_diagnose_cancellable_w")]
        private static extern IntPtr csod_diagnose_cancellable_w([MarshalAs(UnmanagedType.LPWStr)] string requestJson, IntPtr cancel);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_cancel_new")]
        private static extern IntPtr csod_cancel_new();

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_cancel")]
        private static extern void csod_cancel(IntPtr cancel);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_cancel_free")]
        private static extern void csod_cancel_free(IntPtr cancel);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_file_kind_w")]
        private static extern int csod_file_kind_w([MarshalAs(UnmanagedType.LPWStr)] string path);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_scanner_new_w")]
        private static extern IntPtr csod_scanner_new_w([MarshalAs(UnmanagedType.LPWStr)] string optionsJson);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_scanner_feed")]
        private static extern int csod_scanner_feed(IntPtr scanner, byte[] data, UIntPtr len);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_scanner_finish_w")]
        private static extern IntPtr csod_scanner_finish_w(IntPtr scanner);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_scanner_free")]
        private static extern void csod_scanner_free(IntPtr scanner);

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_last_error_w")]
        private static extern IntPtr csod_last_error_w();

        [DllImport(LibraryPath, CallingConvention = CallingConvention.Cdecl, EntryPoint = "csod_wstring_free")]
        private static extern void csod_wstring_free(IntPtr s);

        public static uint AbiVersion()
        {
            return csod_abi_version();
        }

        public static string Version()
        {
            IntPtr p = csod_version();
            if (p == IntPtr.Zero)
            {
                return null;
            }
            // A static ASCII string owned by the library: copy, never free.
            int len = 0;
            while (Marshal.ReadByte(p, len) != 0)
            {
                len++;
            }
            byte[] bytes = new byte[len];
            Marshal.Copy(p, bytes, 0, len);
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        public static string Classify(string text, string language)
        {
            return Take(csod_classify_w(text, language), "csod_classify_w");
        }

        public static string ClassifyRecord(string recordJson, string language)
        {
            return Take(csod_classify_record_w(recordJson, language), "csod_classify_record_w");
        }

        public static string Catalog(string language)
        {
            return Take(csod_catalog_w(language), "csod_catalog_w");
        }

        public static string Diagnose(string requestJson)
        {
            return Take(csod_diagnose_w(requestJson), "csod_diagnose_w");
        }

        // The streaming scanner: ScannerNew, ScannerFeed (any number of
        // chunks, raw bytes in any encoding the library detects),
        // ScannerFinish (the result document), and always ScannerFree.
        public static IntPtr ScannerNew(string optionsJson)
        {
            IntPtr s = csod_scanner_new_w(optionsJson);
            if (s == IntPtr.Zero)
            {
                throw new InvalidOperationException("csod_scanner_new_w failed: " + Reason());
            }
            return s;
        }

        public static void ScannerFeed(IntPtr scanner, byte[] data, int count)
        {
            if (data == null || count < 0 || count > data.Length)
            {
                throw new ArgumentOutOfRangeException("count");
            }
            if (csod_scanner_feed(scanner, data, new UIntPtr((uint)count)) != 0)
            {
                throw new InvalidOperationException("csod_scanner_feed failed: " + Reason());
            }
        }

        public static string ScannerFinish(IntPtr scanner)
        {
            return Take(csod_scanner_finish_w(scanner), "csod_scanner_finish_w");
        }

        public static void ScannerFree(IntPtr scanner)
        {
            if (scanner != IntPtr.Zero)
            {
                csod_scanner_free(scanner);
            }
        }

        public static bool HasExport(string name)
        {
            // Binding is lazy: calling a missing export throws
            // EntryPointNotFoundException, which is what callers test for.
            try
            {
                if (name == "csod_diagnose_w")
                {
                    IntPtr p = csod_diagnose_w(null);
                    if (p != IntPtr.Zero)
                    {
                        csod_wstring_free(p);
                    }
                    return true;
                }
                return false;
            }
            catch (EntryPointNotFoundException)
            {
                return false;
            }
        }

        private static string LastError()
        {
            IntPtr p = csod_last_error_w();
            if (p == IntPtr.Zero)
            {
                return "";
            }
            try
            {
                return Marshal.PtrToStringUni(p);
            }
            finally
            {
                csod_wstring_free(p);
            }
        }

        private static string Reason()
        {
            string why = LastError();
            if (String.IsNullOrEmpty(why))
            {
                why = "no reason given";
            }
            return why;
        }

        private static string Take(IntPtr p, string function)
        {
            if (p == IntPtr.Zero)
            {
                throw new InvalidOperationException(function + " failed: " + Reason());
            }
            try
            {
                return Marshal.PtrToStringUni(p);
            }
            finally
            {
                csod_wstring_free(p);
            }
        }

        // Gets the first answer ready on a thread of its own while PowerShell
        // goes on with the import: the library builds its catalog and
        // compiled patterns, the output languages are read, and this class's
        // methods are compiled (JIT) off the pipeline's thread. Failures are
        // left to the real calls to report.
        // ---- the loader's fast path (Native.ps1, Initialize-CsodNative) ---------

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
            "ExecutionPolicyCommand"
        };

        // Called at import: on a thread of its own, the library builds its
        // catalog and patterns (its first call's cost, ~30 ms), the
        // PowerShell types this class builds objects with are looked up,
        // and the methods a first diagnosis of an error calls are compiled
        // (FirstAnswerMethods), while the import and the command's binding
        // go on. Only those: compiling every method ahead of time cost a
        // first answer more than it saved when the machine's other cores
        // are busy (scripts/bench), as the JIT then competes with the
        // pipeline thread.
        public static void WarmUp()
        {
            Thread t = new Thread(delegate()
            {
                try
                {
                    csod_wstring_free(csod_classify_w("csod warm-up", "en"));
                    OutputLanguages();
                    PowerShellTypes();
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

        // ---- calls that return their failure instead of throwing ----------

        // Value: the library's document; Error: why there is none (the
        // library's last error, or a missing export); Missing: the library
        // lacks the export (older than this module).
        public sealed class CallResult
        {
            public string Value;
            public string Error;
            public bool Missing;
        }

        private static CallResult Call(Func<IntPtr> call, string function)
        {
            CallResult r = new CallResult();
            try
            {
                IntPtr p = call();
                if (p == IntPtr.Zero)
                {
                    r.Error = function + " failed: " + Reason();
                }
                else
                {
                    try
                    {
                        r.Value = Marshal.PtrToStringUni(p);
                    }
                    finally
                    {
                        csod_wstring_free(p);
                    }
                }
            }
            catch (EntryPointNotFoundException)
            {
                r.Missing = true;
                r.Error = "the library has no " + function;
            }
            catch (Exception e)
            {
                r.Error = function + " failed: " + e.Message;
            }
            return r;
        }

        public static CallResult TryClassify(string text, string language)
        {
            return Call(delegate { return csod_classify_w(text, language); }, "csod_classify_w");
        }

        public static CallResult TryClassifyRecord(string recordJson, string language)
        {
            return Call(delegate { return csod_classify_record_w(recordJson, language); }, "csod_classify_record_w");
        }

        public static CallResult TryCatalog(string language)
        {
            return Call(delegate { return csod_catalog_w(language); }, "csod_catalog_w");
        }

        // What a path names (csod_file_kind_w): 0 missing, 1 regular file,
        // 2 directory, 3 other (FIFO, socket, device), -1 the system cannot
        // tell, -2 the library has no csod_file_kind_w.
        public static int FileKind(string path)
        {
            try
            {
                return csod_file_kind_w(path);
            }
            catch (EntryPointNotFoundException)
            {
                return -2;
            }
        }

        public static string LastErrorText()
        {
            try
            {
                return LastError();
            }
            catch (Exception)
            {
                return "";
            }
        }

        // ---- a diagnose another thread can cancel (Ctrl-C) ---------------

        // Runs csod_diagnose_cancellable_w on a thread of its own. The
        // PowerShell thread waits with Wait(ms) in a loop, where Ctrl-C (the
        // pipeline stopping) can reach it; Dispose (from a finally) cancels
        // the call, which returns within a poll slice of the library.
        public sealed class DiagnoseCall : IDisposable
        {
            private readonly ManualResetEvent finished = new ManualResetEvent(false);
            private readonly string request;
            private IntPtr token;
            private volatile bool cancelRequested;
            public string Result;
            public string Error;
            public bool Missing;
            public bool Cancellable;

            internal DiagnoseCall(string requestJson)
            {
                request = requestJson;
                try
                {
                    token = csod_cancel_new();
                    Cancellable = token != IntPtr.Zero;
                }
                catch (EntryPointNotFoundException)
                {
                    token = IntPtr.Zero;
                }
                Thread t = new Thread(Run);
                t.IsBackground = true;
                t.Name = "csod diagnose";
                t.Start();
            }

            private void Run()
            {
                try
                {
                    IntPtr p;
                    string function;
                    // Named csod_diagnose_w in messages either way: the same
                    // diagnose, cancellable or not.
                    function = "csod_diagnose_w";
                    if (Cancellable)
                    {
                        p = csod_diagnose_cancellable_w(request, token);
                    }
                    else
                    {
                        p = csod_diagnose_w(request);
                    }
                    if (p == IntPtr.Zero)
                    {
                        // The last error belongs to this thread: read it here.
                        Error = function + " failed: " + Reason();
                    }
                    else
                    {
                        try
                        {
                            Result = Marshal.PtrToStringUni(p);
                        }
                        finally
                        {
                            csod_wstring_free(p);
                        }
                    }
                }
                catch (EntryPointNotFoundException)
                {
                    Missing = true;
                    Error = "the library has no csod_diagnose_w";
                }
                catch (Exception e)
                {
                    Error = "csod_diagnose_w failed: " + e.Message;
                }
                finally
                {
                    finished.Set();
                }
            }

            public bool Wait(int milliseconds)
            {
                return finished.WaitOne(milliseconds);
            }

            public bool IsCompleted
            {
                get { return finished.WaitOne(0); }
            }

            public bool Cancelled
            {
                get { return cancelRequested; }
            }

            public void Cancel()
            {
                cancelRequested = true;
                if (token != IntPtr.Zero)
                {
                    csod_cancel(token);
                }
            }

            public void Dispose()
            {
                if (!IsCompleted)
                {
                    Cancel();
                }
                // The token is freed only once the call returned; a call that
                // does not return in time keeps it (never freed under it).
                if (finished.WaitOne(10000) && token != IntPtr.Zero)
                {
                    csod_cancel_free(token);
                    token = IntPtr.Zero;
                }
            }
        }

        public static DiagnoseCall BeginDiagnose(string requestJson)
        {
            return new DiagnoseCall(requestJson);
        }

        // ---- scanning one file ---------------------------------------------

        // Streams one regular file through the scanner: Open, then Step()
        // until it returns false (each step reads and feeds one chunk), then
        // Finish(); Dispose always. Failures land in Error with a Kind:
        // "missing", "directory", "special" (FIFO, socket, device: never
        // opened, so never a hang), "read" or "native".
        public sealed class ScanCall : IDisposable
        {
            private FileStream stream;
            private IntPtr scanner;
            private readonly byte[] buffer;
            public long Length;
            public long Done;
            public string Error;
            public string Kind;
            public string Result;

            internal ScanCall(string path, string optionsJson, int chunk)
            {
                buffer = new byte[chunk];
                int kind = FileKind(path);
                if (kind == 0)
                {
                    Fail("missing", "it does not exist");
                    return;
                }
                if (kind == 2)
                {
                    Fail("directory", "it is a directory");
                    return;
                }
                if (kind == 3)
                {
                    Fail("special", "not a regular file");
                    return;
                }
                try
                {
                    // Shared read: a transcript still being written can be scanned.
                    stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 65536, FileOptions.SequentialScan);
                    Length = stream.Length;
                }
                catch (FileNotFoundException e)
                {
                    Fail("missing", e.Message);
                    return;
                }
                catch (DirectoryNotFoundException e)
                {
                    Fail("missing", e.Message);
                    return;
                }
                catch (Exception e)
                {
                    Fail("read", e.Message);
                    return;
                }
                try
                {
                    scanner = csod_scanner_new_w(optionsJson);
                    if (scanner == IntPtr.Zero)
                    {
                        Fail("native", "csod_scanner_new_w failed: " + Reason());
                    }
                }
                catch (Exception e)
                {
                    Fail("native", "csod_scanner_new_w failed: " + e.Message);
                }
            }

            private void Fail(string kind, string error)
            {
                Kind = kind;
                Error = error;
            }

            public bool Failed
            {
                get { return Error != null; }
            }

            // Reads and feeds the next chunk; false at the end or on failure.
            public bool Step()
            {
                if (Error != null)
                {
                    return false;
                }
                int n;
                try
                {
                    n = stream.Read(buffer, 0, buffer.Length);
                }
                catch (Exception e)
                {
                    Fail("read", String.Format(CultureInfo.InvariantCulture, "at byte {0}: {1}", Done, e.Message));
                    return false;
                }
                if (n <= 0)
                {
                    return false;
                }
                if (csod_scanner_feed(scanner, buffer, new UIntPtr((uint)n)) != 0)
                {
                    Fail("native", "csod_scanner_feed failed: " + Reason());
                    return false;
                }
                Done += n;
                return true;
            }

            public string Finish()
            {
                if (Error != null)
                {
                    return null;
                }
                IntPtr p = csod_scanner_finish_w(scanner);
                if (p == IntPtr.Zero)
                {
                    Fail("native", "csod_scanner_finish_w failed: " + Reason());
                    return null;
                }
                try
                {
                    Result = Marshal.PtrToStringUni(p);
                }
                finally
                {
                    csod_wstring_free(p);
                }
                return Result;
            }

            public void Dispose()
            {
                if (scanner != IntPtr.Zero)
                {
                    csod_scanner_free(scanner);
                    scanner = IntPtr.Zero;
                }
                if (stream != null)
                {
                    stream.Dispose();
                    stream = null;
                }
            }
        }

        public static ScanCall BeginScan(string path, string optionsJson, int chunk)
        {
            return new ScanCall(path, optionsJson, chunk);
        }

        // ---- text -------------------------------------------------------------

        // Text as admins paste it: NUL (which would end the string at the
        // P/Invoke boundary) becomes a space, an unpaired surrogate (half of
        // a cut emoji) U+FFFD. Returns the same string when there is nothing
        // to replace; replaced counts the characters changed.
        public static string CleanText(string text, out int replaced)
        {
            replaced = 0;
            if (text == null)
            {
                return null;
            }
            StringBuilder sb = null;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                char r = c;
                if (c == '\0')
                {
                    r = ' ';
                }
                else if (Char.IsHighSurrogate(c))
                {
                    if (i + 1 < text.Length && Char.IsLowSurrogate(text[i + 1]))
                    {
                        if (sb != null)
                        {
                            sb.Append(c);
                            sb.Append(text[i + 1]);
                        }
                        i++;
                        continue;
                    }
                    r = '\uFFFD';
                }
                else if (Char.IsLowSurrogate(c))
                {
                    r = '\uFFFD';
                }
                if (r != c)
                {
                    if (sb == null)
                    {
                        sb = new StringBuilder(text.Length);
                        sb.Append(text, 0, i);
                    }
                    replaced++;
                }
                if (sb != null)
                {
                    sb.Append(r);
                }
            }
            return sb == null ? text : sb.ToString();
        }

        // A JSON array (or one value, or null) as string[]: strings as they
        // are, other values as their JSON.
        public static string[] StringList(object value)
        {
            if (value == null)
            {
                return new string[0];
            }
            if (value is string)
            {
                return new string[] { (string)value };
            }
            ArrayList list = new ArrayList();
            IEnumerable items = value as IEnumerable;
            if (items == null || value is IDictionary)
            {
                items = new object[] { value };
            }
            foreach (object item in items)
            {
                if (item == null)
                {
                    continue;
                }
                list.Add(item is string ? (string)item : ToJson(item));
            }
            return (string[])list.ToArray(typeof(string));
        }

        // A match's evidence ({"kind","value"} objects) as "kind: value".
        public static string[] EvidenceList(object value)
        {
            ArrayList list = new ArrayList();
            IEnumerable items = value as IEnumerable;
            if (value == null)
            {
                return new string[0];
            }
            if (items == null || value is string || value is IDictionary)
            {
                items = new object[] { value };
            }
            foreach (object item in items)
            {
                IDictionary d = item as IDictionary;
                if (item == null)
                {
                    continue;
                }
                if (d != null)
                {
                    list.Add(String.Format(CultureInfo.InvariantCulture, "{0}: {1}", d["kind"], d["value"]));
                }
                else
                {
                    list.Add(item is string ? (string)item : ToJson(item));
                }
            }
            return (string[])list.ToArray(typeof(string));
        }

        // ---- PowerShell objects, read by reflection ------------------------
        //
        // No reference to System.Management.Automation (the bridge compiles
        // as plain C# 5): a PSObject is read through its public members by
        // name. Live objects are read through their .NET properties.

        private static bool IsPSObject(object o)
        {
            return o != null && o.GetType().FullName == "System.Management.Automation.PSObject";
        }

        private static object PSBase(object o)
        {
            if (!IsPSObject(o))
            {
                return o;
            }
            object b = o.GetType().GetProperty("BaseObject").GetValue(o, null);
            if (b == null || b.GetType().FullName == "System.Management.Automation.PSCustomObject")
            {
                return o;
            }
            return b;
        }

        // A property of a live or deserialized object, or null.
        public static object Member(object o, string name)
        {
            if (o == null || o is string)
            {
                return null;
            }
            if (IsPSObject(o))
            {
                try
                {
                    object props = o.GetType().GetProperty("Properties").GetValue(o, null);
                    PropertyInfo item = props.GetType().GetProperty("Item", new Type[] { typeof(string) });
                    object info = item.GetValue(props, new object[] { name });
                    if (info == null)
                    {
                        return null;
                    }
                    return PSBase(info.GetType().GetProperty("Value").GetValue(info, null));
                }
                catch (Exception)
                {
                    return null;
                }
            }
            IDictionary d = o as IDictionary;
            if (d != null)
            {
                return d.Contains(name) ? PSBase(d[name]) : null;
            }
            try
            {
                PropertyInfo p = o.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
                if (p == null || p.GetIndexParameters().Length > 0)
                {
                    return null;
                }
                return PSBase(p.GetValue(o, null));
            }
            catch (Exception)
            {
                // A getter that throws, or an ambiguous name: not there.
                return null;
            }
        }

        private static string MemberText(object o, string name)
        {
            object v = Member(o, name);
            return v == null ? null : Convert.ToString(v, CultureInfo.InvariantCulture);
        }

        // The type names of a live object (its classes, most derived first)
        // or of a deserialized one (as serialized, "Deserialized." included).
        public static string[] TypeNames(object o)
        {
            ArrayList names = new ArrayList();
            if (IsPSObject(o))
            {
                IEnumerable list = o.GetType().GetProperty("TypeNames").GetValue(o, null) as IEnumerable;
                if (list != null)
                {
                    foreach (object n in list)
                    {
                        names.Add(Convert.ToString(n, CultureInfo.InvariantCulture));
                    }
                }
                object b = PSBase(o);
                if (names.Count > 0 || b == o)
                {
                    return (string[])names.ToArray(typeof(string));
                }
                o = b;
            }
            for (Type t = o == null ? null : o.GetType(); t != null; t = t.BaseType)
            {
                names.Add(t.FullName);
            }
            return (string[])names.ToArray(typeof(string));
        }

        // The .NET type name of a live or deserialized object.
        public static string TypeName(object o)
        {
            string[] names = TypeNames(o);
            if (names.Length == 0)
            {
                return o == null ? null : o.GetType().FullName;
            }
            return names[0].StartsWith("Deserialized.", StringComparison.Ordinal) ? names[0].Substring(13) : names[0];
        }

        private static bool IsA(object o, string typeName)
        {
            foreach (string n in TypeNames(o))
            {
                if (n == typeName || n == "Deserialized." + typeName)
                {
                    return true;
                }
            }
            return false;
        }

        // What a pipeline object is, for Test-CsOnlineConnector's dispatch:
        // "null", "text", "error" (an ErrorRecord or an exception, live or
        // deserialized), "file" (a FileInfo or DirectoryInfo: path in path),
        // "literal" or "wildcard" (an object with a PSPath or FullName, or a
        // Path property: path in path), "collection", or "unsupported".
        public static string InputKind(object input, out string path)
        {
            path = null;
            if (input == null)
            {
                return "null";
            }
            object o = PSBase(input);
            if (o is string)
            {
                return "text";
            }
            if (IsA(input, "System.Management.Automation.ErrorRecord") || IsA(input, "System.Exception"))
            {
                return "error";
            }
            FileSystemInfo file = o as FileSystemInfo;
            if (file != null)
            {
                path = file.FullName;
                return "file";
            }
            if (o is IDictionary)
            {
                return "unsupported";
            }
            if (o is IEnumerable)
            {
                return "collection";
            }
            foreach (string name in new string[] { "PSPath", "FullName", "Path" })
            {
                string value = Member(input, name) as string;
                if (!String.IsNullOrEmpty(value))
                {
                    path = value;
                    return name == "Path" ? "wildcard" : "literal";
                }
            }
            return "unsupported";
        }

        // ---- an error, as the library's record -----------------------------

        // Exceptions that only carry another one: a record's exception type
        // and HResult come from the first exception of the chain that is not
        // one of these (RuntimeException only when it holds an inner one).
        private static readonly string[] Wrappers = new string[]
        {
            "System.Management.Automation.MethodInvocationException",
            "System.Management.Automation.MethodException",
            "System.Management.Automation.CmdletInvocationException",
            "System.Management.Automation.ActionPreferenceStopException",
            "System.Management.Automation.RemoteException",
            "System.Management.Automation.ParentContainsErrorRecordException",
            "System.Reflection.TargetInvocationException",
            "System.AggregateException",
            "System.Management.Automation.RuntimeException",
        };

        // Exceptions read from one error at most.
        public const int MaxChain = 16;

        // The exceptions of an error, outer first, depth first: the original
        // of a RemoteException (SerializedRemoteException), the members of an
        // AggregateException, InnerException. Live or deserialized; a level
        // beyond the serialization depth is a string, kept as text.
        public static object[] ExceptionChain(object exception)
        {
            ArrayList chain = new ArrayList();
            Stack stack = new Stack();
            if (exception != null)
            {
                stack.Push(exception);
            }
            while (stack.Count > 0 && chain.Count < MaxChain)
            {
                object e = PSBase(stack.Pop());
                if (e == null)
                {
                    continue;
                }
                chain.Add(e);
                if (e is string)
                {
                    continue;
                }
                ArrayList next = new ArrayList();
                object original = Member(e, "SerializedRemoteException");
                if (original != null)
                {
                    next.Add(original);
                }
                object members = Member(e, "InnerExceptions");
                IEnumerable list = members as IEnumerable;
                if (list != null && !(members is string))
                {
                    foreach (object m in list)
                    {
                        next.Add(m);
                    }
                }
                else
                {
                    object inner = Member(e, "InnerException");
                    if (inner != null)
                    {
                        next.Add(inner);
                    }
                }
                for (int i = next.Count - 1; i >= 0; i--)
                {
                    stack.Push(next[i]);
                }
            }
            return chain.ToArray();
        }

        private static bool IsWrapper(object e, string typeName)
        {
            if (Array.IndexOf(Wrappers, typeName) < 0)
            {
                return false;
            }
            return typeName != "System.Management.Automation.RuntimeException" || Member(e, "InnerException") != null;
        }

        // An error (ErrorRecord, exception, live or deserialized: Import-Clixml,
        // Receive-Job, remoting) -> the record csod_classify_record and
        // csod_diagnose read: message (every distinct message of the chain,
        // one per line, outer first), fully_qualified_error_id,
        // exception_type, hresult, error_code, category, command. Also
        // "shown" (the message an admin sees), or "unsupported" (the input's
        // type name) when it is no error at all.
        public static OrderedDictionary ReadError(object input)
        {
            OrderedDictionary result = new OrderedDictionary();
            input = PSBase(input);
            object record = null;
            object exception = null;
            if (IsA(input, "System.Management.Automation.ErrorRecord"))
            {
                record = input;
                exception = Member(input, "Exception");
            }
            else if (IsA(input, "System.Exception"))
            {
                exception = input;
                object inner = Member(input, "ErrorRecord");
                if (inner != null && !(inner is string) && IsA(inner, "System.Management.Automation.ErrorRecord"))
                {
                    record = inner;
                }
            }
            else
            {
                result["unsupported"] = TypeName(input);
                return result;
            }
            object[] chain = ExceptionChain(exception);
            object primary = null;
            foreach (object e in chain)
            {
                if (!(e is string) && !IsWrapper(e, TypeName(e)))
                {
                    primary = e;
                    break;
                }
            }
            if (primary == null && chain.Length > 0 && !(chain[0] is string))
            {
                primary = chain[0];
            }
            // The message an admin sees: ErrorDetails, else the outer exception's.
            string shown = null;
            if (record != null)
            {
                object details = Member(record, "ErrorDetails");
                shown = details is string ? null : MemberText(details, "Message");
                if (String.IsNullOrEmpty(shown))
                {
                    shown = MemberText(record, "ErrorDetails_Message");
                }
            }
            ArrayList messages = new ArrayList();
            if (!String.IsNullOrEmpty(shown))
            {
                messages.Add(shown);
            }
            foreach (object e in chain)
            {
                string m = e is string ? (string)e : MemberText(e, "Message");
                if (String.IsNullOrEmpty(m) || m.Trim().Length == 0)
                {
                    continue;
                }
                m = m.Trim();
                bool known = false;
                foreach (string seen in messages)
                {
                    if (seen.Contains(m))
                    {
                        known = true;
                        break;
                    }
                }
                if (!known)
                {
                    messages.Add(m);
                }
            }
            if (String.IsNullOrEmpty(shown) && messages.Count > 0)
            {
                shown = (string)messages[0];
            }
            if (messages.Count > 0)
            {
                result["message"] = String.Join("\n", (string[])messages.ToArray(typeof(string)));
            }
            string fqeid = record == null ? null : MemberText(record, "FullyQualifiedErrorId");
            if (String.IsNullOrEmpty(fqeid) && primary != null)
            {
                // An exception alone: the id of the record it carries, else its type.
                object inner = Member(primary, "ErrorRecord");
                if (inner != null && !(inner is string))
                {
                    fqeid = MemberText(inner, "FullyQualifiedErrorId");
                }
                if (String.IsNullOrEmpty(fqeid))
                {
                    string t = TypeName(primary);
                    fqeid = t.Substring(t.LastIndexOf('.') + 1);
                }
            }
            if (!String.IsNullOrEmpty(fqeid))
            {
                result["fully_qualified_error_id"] = fqeid;
            }
            if (primary != null)
            {
                result["exception_type"] = TypeName(primary);
                object h = Member(primary, "HResult");
                if (h != null && !(h is string))
                {
                    try
                    {
                        result["hresult"] = Convert.ToInt64(h, CultureInfo.InvariantCulture);
                    }
                    catch (Exception)
                    {
                    }
                }
            }
            // The WinRM error number (PSRemotingTransportException.ErrorCode),
            // the first one along the chain.
            foreach (object e in chain)
            {
                object code = Member(e, "ErrorCode");
                if (code == null || code is string)
                {
                    continue;
                }
                try
                {
                    result["error_code"] = Convert.ToInt64(code, CultureInfo.InvariantCulture);
                    break;
                }
                catch (Exception)
                {
                }
            }
            if (record != null)
            {
                string category = null;
                string command = null;
                object info = Member(record, "CategoryInfo");
                if (info != null && !(info is string))
                {
                    category = MemberText(info, "Category");
                    command = MemberText(info, "Activity");
                }
                object c = Member(record, "ErrorCategory_Category");
                if (String.IsNullOrEmpty(category) && c != null)
                {
                    category = Convert.ToString(c, CultureInfo.InvariantCulture);
                    Type categories = PowerShellTypes() ? psObjectType.Assembly.GetType("System.Management.Automation.ErrorCategory", false) : null;
                    int n;
                    if (categories != null && Int32.TryParse(category, NumberStyles.Integer, CultureInfo.InvariantCulture, out n) && Enum.IsDefined(categories, n))
                    {
                        category = Enum.GetName(categories, n);
                    }
                }
                object my = Member(Member(record, "InvocationInfo"), "MyCommand");
                if (my != null)
                {
                    string name = MemberText(my, "Name");
                    if (String.IsNullOrEmpty(name))
                    {
                        name = Convert.ToString(my, CultureInfo.InvariantCulture);
                    }
                    if (!String.IsNullOrEmpty(name))
                    {
                        command = name;
                    }
                }
                if (String.IsNullOrEmpty(command))
                {
                    command = MemberText(record, "ErrorCategory_Activity");
                }
                if (!String.IsNullOrEmpty(category))
                {
                    result["category"] = category;
                }
                if (!String.IsNullOrEmpty(command))
                {
                    result["command"] = command;
                }
            }
            if (shown != null)
            {
                result["shown"] = shown;
            }
            return result;
        }

        // ---- what PowerShell knows about this host --------------------------

        // The "host" facts of a csod_diagnose request from what the cmdlets
        // gave: Get-ExecutionPolicy -List (Scope, ExecutionPolicy), the
        // effective policy, Get-PSSession (sessions to a service host, with
        // their age since this module first saw them, kept in firstSeen),
        // Get-Module (loaded) and Get-Module -ListAvailable (installed).
        public static OrderedDictionary HostFacts(object policies, object effective, object sessions, object loaded, object available, IDictionary firstSeen, string edition, string version, string osName, string uiCulture, bool wsmanClient, string[] serviceHosts)
        {
            OrderedDictionary facts = new OrderedDictionary();
            facts["edition"] = edition;
            facts["version"] = version;
            facts["os"] = osName;
            OrderedDictionary scopes = new OrderedDictionary();
            foreach (object p in Items(policies))
            {
                string scope = MemberText(p, "Scope");
                if (!String.IsNullOrEmpty(scope))
                {
                    scopes[scope] = MemberText(p, "ExecutionPolicy");
                }
            }
            facts["execution_policy"] = scopes;
            string policy = effective == null ? null : Convert.ToString(PSBase(effective), CultureInfo.InvariantCulture);
            if (!String.IsNullOrEmpty(policy))
            {
                facts["effective_execution_policy"] = policy;
            }
            DateTime now = DateTime.UtcNow;
            ArrayList list = new ArrayList();
            foreach (object s in Items(sessions))
            {
                string computer = MemberText(s, "ComputerName") ?? "";
                bool service = false;
                foreach (string pattern in serviceHosts)
                {
                    if (pattern.StartsWith("*", StringComparison.Ordinal)
                        ? computer.EndsWith(pattern.Substring(1), StringComparison.OrdinalIgnoreCase)
                        : String.Equals(computer, pattern, StringComparison.OrdinalIgnoreCase))
                    {
                        service = true;
                    }
                }
                if (!service)
                {
                    continue;
                }
                // PowerShell does not record when a session was opened: the age
                // is a lower bound from the first time this module saw it.
                string key = MemberText(s, "InstanceId") ?? computer;
                object age = null;
                if (firstSeen != null && firstSeen.Contains(key))
                {
                    object seen = PSBase(firstSeen[key]);
                    if (seen is DateTime)
                    {
                        age = Math.Round((now - (DateTime)seen).TotalMinutes, 1);
                    }
                }
                else if (firstSeen != null)
                {
                    firstSeen[key] = now;
                }
                OrderedDictionary one = new OrderedDictionary();
                one["name"] = MemberText(s, "Name");
                one["computer_name"] = computer;
                one["state"] = MemberText(s, "State");
                one["availability"] = MemberText(s, "Availability");
                one["age_minutes"] = age;
                list.Add(one);
            }
            facts["sessions"] = list.ToArray();
            facts["ui_culture"] = uiCulture;
            Hashtable paths = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (object m in Items(loaded))
            {
                string path = MemberText(m, "Path");
                if (path != null)
                {
                    paths[path] = true;
                }
            }
            ArrayList modules = new ArrayList();
            foreach (object m in Items(available))
            {
                OrderedDictionary one = new OrderedDictionary();
                string path = MemberText(m, "Path");
                one["name"] = MemberText(m, "Name");
                one["version"] = MemberText(m, "Version");
                one["path"] = path;
                one["loaded"] = path != null && paths.ContainsKey(path);
                modules.Add(one);
            }
            facts["modules"] = modules.ToArray();
            facts["wsman_client"] = wsmanClient;
            return facts;
        }

        private static IEnumerable Items(object value)
        {
            value = PSBase(value);
            if (value == null)
            {
                return new object[0];
            }
            IEnumerable list = value as IEnumerable;
            if (list == null || value is string || value is IDictionary)
            {
                return new object[] { value };
            }
            return list;
        }

        // ---- -Endpoint ----------------------------------------------------------

        // What the library accepts (src/diagnose.rs): at most 32 endpoints, a
        // name of 1 to 64 letters, digits, '-', '_' or '.', a host of at most
        // 253 characters without spaces, controls or '/', a port 1 to 65535.
        public const int MaxEndpoints = 32;

        // -Endpoint values (host, host:port, [IPv6]:port, name=host:port) ->
        // the request's endpoints; on the first bad value, null and the
        // message key (EndpointSyntax, EndpointHost, EndpointPort,
        // EndpointName, EndpointTwice, EndpointCount) and its arguments.
        public static object[] ParseEndpoints(string[] values, out string errorKey, out object[] errorArguments)
        {
            errorKey = null;
            errorArguments = null;
            if (values.Length > MaxEndpoints)
            {
                errorKey = "EndpointCount";
                errorArguments = new object[] { values.Length, MaxEndpoints };
                return null;
            }
            ArrayList list = new ArrayList();
            Hashtable names = new Hashtable(StringComparer.Ordinal);
            foreach (string raw in values)
            {
                string value = (raw ?? "").Trim();
                string name = null;
                string rest = value;
                int eq = value.IndexOf('=');
                if (eq >= 0)
                {
                    name = value.Substring(0, eq).Trim();
                    rest = value.Substring(eq + 1).Trim();
                }
                string host;
                string port = null;
                IPAddress ip;
                if (rest.StartsWith("[", StringComparison.Ordinal))
                {
                    int close = rest.IndexOf(']');
                    if (close < 0)
                    {
                        return Bad(out errorKey, out errorArguments, "EndpointSyntax", raw);
                    }
                    host = rest.Substring(1, close - 1).Trim();
                    string after = rest.Substring(close + 1);
                    if (after.Length > 0)
                    {
                        if (after[0] != ':')
                        {
                            return Bad(out errorKey, out errorArguments, "EndpointSyntax", raw);
                        }
                        port = after.Substring(1);
                    }
                    if (!IPAddress.TryParse(host, out ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                    {
                        return Bad(out errorKey, out errorArguments, "EndpointHost", raw, host);
                    }
                }
                else if (rest.IndexOf(':') != rest.LastIndexOf(':') && IPAddress.TryParse(rest, out ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                {
                    // A bare IPv6 address: no port.
                    host = rest;
                }
                else
                {
                    int colon = rest.IndexOf(':');
                    if (colon >= 0)
                    {
                        host = rest.Substring(0, colon).Trim();
                        port = rest.Substring(colon + 1);
                        if (port.IndexOf(':') >= 0)
                        {
                            return Bad(out errorKey, out errorArguments, "EndpointSyntax", raw);
                        }
                    }
                    else
                    {
                        host = rest;
                    }
                    if (host.IndexOfAny(new char[] { '[', ']', '=' }) >= 0)
                    {
                        return Bad(out errorKey, out errorArguments, "EndpointSyntax", raw);
                    }
                }
                if (host.Length == 0 || host.Length > 253)
                {
                    return Bad(out errorKey, out errorArguments, host.Length == 0 ? "EndpointSyntax" : "EndpointHost", raw, host);
                }
                foreach (char c in host)
                {
                    if (Char.IsWhiteSpace(c) || Char.IsControl(c) || c == '/' || c == '\\')
                    {
                        return Bad(out errorKey, out errorArguments, "EndpointHost", raw, host);
                    }
                }
                int number = 443;
                if (port != null)
                {
                    port = port.Trim();
                    bool digits = port.Length > 0 && port.Length <= 5;
                    foreach (char c in port)
                    {
                        digits = digits && c >= '0' && c <= '9';
                    }
                    if (!digits || (number = Int32.Parse(port, CultureInfo.InvariantCulture)) < 1 || number > 65535)
                    {
                        return Bad(out errorKey, out errorArguments, "EndpointPort", raw);
                    }
                }
                if (name == null)
                {
                    // The host spelt as a name (an IPv6 address's ':' become
                    // '-'); a host given twice gets its port after it.
                    StringBuilder sb = new StringBuilder();
                    foreach (char c in host)
                    {
                        sb.Append(Char.IsLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-' ? c : '-');
                    }
                    name = sb.Length > 64 ? sb.ToString(0, 64) : sb.ToString();
                    if (names.ContainsKey(name))
                    {
                        name = name + "-" + number.ToString(CultureInfo.InvariantCulture);
                    }
                }
                bool valid = name.Length >= 1 && name.Length <= 64;
                foreach (char c in name)
                {
                    valid = valid && (c < 128 && Char.IsLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
                }
                if (!valid)
                {
                    return Bad(out errorKey, out errorArguments, "EndpointName", raw);
                }
                if (names.ContainsKey(name))
                {
                    return Bad(out errorKey, out errorArguments, "EndpointTwice", raw, name);
                }
                names[name] = true;
                OrderedDictionary e = new OrderedDictionary();
                e["name"] = name;
                e["host"] = host;
                e["port"] = number;
                list.Add(e);
            }
            return list.ToArray();
        }

        private static object[] Bad(out string key, out object[] arguments, string which, params object[] values)
        {
            key = which;
            arguments = values;
            return null;
        }

        // ---- output languages ------------------------------------------------

        private static volatile string[] outputLanguages;
        private static readonly object outputLanguagesLock = new object();

        // The output languages of the library's catalog (asked once; the
        // warm-up thread usually has).
        public static string[] OutputLanguages()
        {
            string[] known = outputLanguages;
            if (known != null)
            {
                return known;
            }
            lock (outputLanguagesLock)
            {
                if (outputLanguages == null)
                {
                    CallResult r = TryCatalog("en");
                    if (r.Error != null)
                    {
                        return new string[] { "en" };
                    }
                    IDictionary doc = ParseJson(r.Value) as IDictionary;
                    outputLanguages = StringList(doc == null ? null : doc["output_languages"]);
                }
                return outputLanguages;
            }
        }

        // The output language for -Language (a culture name such as fr-CA
        // picks fr), or for the UI culture when none is asked; English when
        // the library has no texts in it (unknown: a language was asked and
        // has none).
        public static string ResolveLanguage(string requested, string uiLanguage, out bool unknown)
        {
            unknown = false;
            string[] known = OutputLanguages();
            string wanted = requested;
            if (wanted == null || wanted.Trim().Length == 0)
            {
                wanted = uiLanguage;
            }
            else
            {
                unknown = true;
            }
            if (wanted != null)
            {
                string primary = wanted.Trim().Split('-', '_')[0].ToLowerInvariant();
                if (Array.IndexOf(known, primary) >= 0)
                {
                    unknown = false;
                    return primary;
                }
            }
            return "en";
        }

        // What every item of one Test-CsOnlineConnector call shares
        // (Workers.ps1, New-CsodContext), in one call: the output language
        // (ResolveLanguage), the endpoints (ParseEndpoints), the time bound,
        // the switches, an empty outcome. What needs PowerShell is left to
        // the caller: UnknownLanguage (true: warn), EndpointError and
        // EndpointArguments (a bad -Endpoint: the message's key and
        // arguments), the -Redact terms, the verbose line.
        public static Hashtable NewContext(string language, string[] endpoints, int timeoutSec, bool asJson, bool redact, bool quiet, bool narrate, string uiLanguage)
        {
            bool unknown;
            string lang = ResolveLanguage(language, uiLanguage, out unknown);
            Hashtable ctx = new Hashtable(StringComparer.OrdinalIgnoreCase);
            ctx["Language"] = lang;
            ctx["UnknownLanguage"] = unknown;
            ctx["TimeoutSec"] = timeoutSec;
            ctx["Endpoints"] = null;
            ctx["EndpointError"] = null;
            ctx["EndpointArguments"] = null;
            ctx["AsJson"] = asJson;
            ctx["Redact"] = redact;
            ctx["Quiet"] = quiet;
            ctx["Narrate"] = narrate;
            ctx["Terms"] = new object[0];
            ctx["HostFacts"] = null;
            ctx["Wrong"] = false;
            ctx["WarnedNoDiagnose"] = false;
            ctx["ProgressShown"] = false;
            ctx["Activity"] = "Test-CsOnlineConnector";
            ctx["ScanOptions"] = null;
            ctx["Outcome"] = NewOutcome();
            ctx["Error"] = null;
            if (endpoints != null && endpoints.Length > 0)
            {
                string key;
                object[] arguments;
                object[] list = ParseEndpoints(endpoints, out key, out arguments);
                if (key != null)
                {
                    ctx["EndpointError"] = key;
                    ctx["EndpointArguments"] = arguments;
                }
                else
                {
                    ctx["Endpoints"] = list;
                }
            }
            return ctx;
        }

        // A worker's outcome (Workers.ps1): lists whose Add returns nothing,
        // so that a PowerShell caller writes no index to its output.
        public static Hashtable NewOutcome()
        {
            Hashtable o = new Hashtable(StringComparer.OrdinalIgnoreCase);
            o["Output"] = new System.Collections.Generic.List<object>();
            o["Errors"] = new System.Collections.Generic.List<object>();
            o["Warnings"] = new System.Collections.Generic.List<string>();
            o["Verbose"] = new System.Collections.Generic.List<string>();
            o["Wrong"] = false;
            return o;
        }

        // The Get-ExecutionPolicy cmdlet class, for the host facts to run it
        // through a CmdletInfo without importing its module
        // (Microsoft.PowerShell.Security: ~60 ms of a fresh session's first
        // answer). Its assembly is loaded by the full name of
        // System.Management.Automation's (same version and key: both ship
        // with PowerShell), unless loaded already; null when it cannot be.
        public static Type ExecutionPolicyCommand()
        {
            const string typeName = "Microsoft.PowerShell.Commands.GetExecutionPolicyCommand";
            try
            {
                foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (a.GetName().Name == "Microsoft.PowerShell.Security")
                    {
                        return a.GetType(typeName, false);
                    }
                }
                if (!PowerShellTypes())
                {
                    return null;
                }
                AssemblyName sma = psObjectType.Assembly.GetName();
                AssemblyName security = new AssemblyName();
                security.Name = "Microsoft.PowerShell.Security";
                security.Version = sma.Version;
                security.CultureInfo = sma.CultureInfo;
                security.SetPublicKeyToken(sma.GetPublicKeyToken());
                return Assembly.Load(security).GetType(typeName, false);
            }
            catch (Exception)
            {
                return null;
            }
        }

        // ---- PowerShell objects built here ------------------------------------

        private static Type psObjectType;
        private static Type psNotePropertyType;
        private static MethodInfo membersAdd;

        // PSObject and PSNoteProperty from the System.Management.Automation
        // loaded in this process (no reference at compile time).
        private static bool PowerShellTypes()
        {
            if (membersAdd != null)
            {
                return true;
            }
            lock (outputLanguagesLock)
            {
                if (membersAdd != null)
                {
                    return true;
                }
                Type pso = null;
                Type note = null;
                foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (a.GetName().Name == "System.Management.Automation")
                    {
                        pso = a.GetType("System.Management.Automation.PSObject", false);
                        note = a.GetType("System.Management.Automation.PSNoteProperty", false);
                        break;
                    }
                }
                if (pso == null || note == null)
                {
                    return false;
                }
                Type members = pso.GetProperty("Members").PropertyType;
                MethodInfo add = null;
                foreach (MethodInfo m in members.GetMethods())
                {
                    if (m.Name == "Add" && m.GetParameters().Length == 1)
                    {
                        add = m;
                    }
                }
                psObjectType = pso;
                psNotePropertyType = note;
                membersAdd = add;
                return add != null;
            }
        }

        // A row (ordered dictionary) as a PSCustomObject whose first type name
        // is typeName, as [pscustomobject]@{ PSTypeName = ...; ... } makes it;
        // a dictionary value becomes such an object too (untyped). Without
        // PowerShell in the process, the row itself.
        public static object NewObject(string typeName, IDictionary row)
        {
            if (!PowerShellTypes())
            {
                return row;
            }
            object o = Activator.CreateInstance(psObjectType);
            if (typeName != null)
            {
                IList names = (IList)psObjectType.GetProperty("TypeNames").GetValue(o, null);
                names.Insert(0, typeName);
            }
            object members = psObjectType.GetProperty("Members").GetValue(o, null);
            foreach (DictionaryEntry e in row)
            {
                object value = e.Value;
                IDictionary nested = value as IDictionary;
                if (nested != null)
                {
                    value = NewObject(null, nested);
                }
                object note = Activator.CreateInstance(psNotePropertyType, new object[] { Convert.ToString(e.Key, CultureInfo.InvariantCulture), value });
                membersAdd.Invoke(members, new object[] { note });
            }
            return o;
        }

        // Each finding of a csod_diagnose document as a
        // CsOnlineDiagnostics.Finding object.
        public static object[] FindingObjects(object findings)
        {
            object[] rows = FindingRows(findings);
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = NewObject("CsOnlineDiagnostics.Finding", (IDictionary)rows[i]);
            }
            return rows;
        }

        // Each match of a csod_classify or csod_diagnose document as a
        // CsOnlineDiagnostics.Match object (Fields an object too).
        public static object[] MatchObjects(object matches)
        {
            object[] rows = MatchRows(matches);
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = NewObject("CsOnlineDiagnostics.Match", (IDictionary)rows[i]);
            }
            return rows;
        }

        // One CsOnlineDiagnostics.Diagnosis from a csod_classify or
        // csod_diagnose document: the best match (the first), every match,
        // the findings of the probes. Status: "problem" with a match, else
        // the worst finding's. The top-level Fix is the match's (the
        // catalog's, for the error in general) unless a finding explains the
        // match: then the first such finding's, even when it has none (it
        // says what fits this machine: a disabled msoidsvc must be allowed
        // to start before Start-Service; no local fix under Group Policy).
        public static object DiagnosisObject(IDictionary doc, string message)
        {
            object[] matchRows = MatchRows(doc["matches"]);
            object[] matchList = new object[matchRows.Length];
            for (int i = 0; i < matchRows.Length; i++)
            {
                // Fields made an object first, so that the Diagnosis and its
                // first match share it.
                IDictionary row = (IDictionary)matchRows[i];
                IDictionary fields = row["Fields"] as IDictionary;
                if (fields != null)
                {
                    row["Fields"] = NewObject(null, fields);
                }
                matchList[i] = NewObject("CsOnlineDiagnostics.Match", row);
            }
            object[] findingRows = FindingRows(doc["findings"]);
            object[] findings = new object[findingRows.Length];
            for (int i = 0; i < findingRows.Length; i++)
            {
                findings[i] = NewObject("CsOnlineDiagnostics.Finding", (IDictionary)findingRows[i]);
            }
            IDictionary best = null;
            if (matchRows.Length > 0)
            {
                best = (IDictionary)matchRows[0];
            }
            string status = "ok";
            if (best != null)
            {
                status = "problem";
            }
            else
            {
                foreach (object r in findingRows)
                {
                    string st = Convert.ToString(((IDictionary)r)["Status"], CultureInfo.InvariantCulture);
                    if (st == "problem")
                    {
                        status = "problem";
                        break;
                    }
                    if (st == "warning")
                    {
                        status = "warning";
                    }
                }
            }
            OrderedDictionary d = new OrderedDictionary();
            d["Status"] = status;
            d["Problem"] = null;
            d["Title"] = null;
            d["Confidence"] = null;
            d["Cause"] = null;
            d["Resolution"] = new string[0];
            d["Fix"] = null;
            d["Doc"] = null;
            d["Fields"] = null;
            d["Message"] = message;
            d["Language"] = doc["language"];
            d["Matches"] = matchList;
            d["Findings"] = findings;
            if (best != null)
            {
                string problem = (string)best["Problem"];
                d["Problem"] = problem;
                d["Title"] = best["Title"];
                d["Confidence"] = best["Confidence"];
                d["Cause"] = best["Cause"];
                d["Resolution"] = best["Resolution"];
                d["Fix"] = best["Fix"];
                foreach (object r in findingRows)
                {
                    IDictionary f = (IDictionary)r;
                    bool explains = false;
                    foreach (string id in (string[])f["Explains"])
                    {
                        if (string.Equals(id, problem, StringComparison.OrdinalIgnoreCase))
                        {
                            explains = true;
                            break;
                        }
                    }
                    if (explains)
                    {
                        d["Fix"] = f["Fix"];
                        break;
                    }
                }
                d["Doc"] = best["Doc"];
                d["Fields"] = best["Fields"];
            }
            return NewObject("CsOnlineDiagnostics.Diagnosis", d);
        }

        // ---- the library's documents as rows of output objects ---------------

        // Each finding of a csod_diagnose document (the "findings" array) as
        // the properties of a CsOnlineDiagnostics.Finding, in order.
        public static object[] FindingRows(object findings)
        {
            ArrayList rows = new ArrayList();
            foreach (object item in Items(findings))
            {
                IDictionary f = item as IDictionary;
                if (f == null)
                {
                    continue;
                }
                OrderedDictionary row = new OrderedDictionary();
                row["Id"] = Convert.ToString(f["id"], CultureInfo.InvariantCulture);
                row["Status"] = Convert.ToString(f["status"], CultureInfo.InvariantCulture);
                row["Problem"] = f["problem"];
                row["Summary"] = Convert.ToString(f["summary"], CultureInfo.InvariantCulture);
                row["Evidence"] = StringList(f["evidence"]);
                row["Resolution"] = StringList(f["resolution"]);
                row["Fix"] = f["fix"];
                // With an error: the ids of its matches this finding explains.
                row["Explains"] = StringList(f["explains"]);
                rows.Add(row);
            }
            return rows.ToArray();
        }

        // Each match of a csod_classify or csod_diagnose document as the
        // properties of a CsOnlineDiagnostics.Match (Fields stays a
        // dictionary; the module makes it an object).
        public static object[] MatchRows(object matches)
        {
            ArrayList rows = new ArrayList();
            foreach (object item in Items(matches))
            {
                IDictionary m = item as IDictionary;
                if (m == null)
                {
                    continue;
                }
                OrderedDictionary row = new OrderedDictionary();
                row["Problem"] = Convert.ToString(m["id"], CultureInfo.InvariantCulture);
                row["Confidence"] = m["confidence"] == null ? 0.0 : Convert.ToDouble(m["confidence"], CultureInfo.InvariantCulture);
                row["Title"] = Convert.ToString(m["title"], CultureInfo.InvariantCulture);
                row["Cause"] = Convert.ToString(m["cause"], CultureInfo.InvariantCulture);
                row["Resolution"] = StringList(m["resolution"]);
                row["Fix"] = m["fix"];
                row["Doc"] = m["doc"];
                row["Fields"] = m["fields"];
                // Evidence items are {kind, value}: "kind: value".
                row["Evidence"] = EvidenceList(m["evidence"]);
                row["MessageLanguage"] = m["message_language"];
                rows.Add(row);
            }
            return rows.ToArray();
        }

        // Windows always has the WinRM client; PowerShell 7 elsewhere needs the
        // separately installed WSMan client libraries next to pwsh.
        public static bool WsmanClient(string os, string psHome)
        {
            if (os == "win")
            {
                return true;
            }
            string ext = os == "osx" ? ".dylib" : ".so";
            return File.Exists(Path.Combine(psHome, "libpsrpclient" + ext)) && File.Exists(Path.Combine(psHome, "libmi" + ext));
        }

        // ---- JSON -------------------------------------------------------------

        // Parses a JSON document (the library's output) into ordered
        // dictionaries, object[], string, long, double, bool and null.
        public static object ParseJson(string json)
        {
            int i = 0;
            object v = ParseValue(json, ref i);
            SkipSpace(json, ref i);
            if (i != json.Length)
            {
                throw new FormatException("JSON: text after the value at " + i);
            }
            return v;
        }

        private static void SkipSpace(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            {
                i++;
            }
        }

        private static object ParseValue(string s, ref int i)
        {
            SkipSpace(s, ref i);
            if (i >= s.Length)
            {
                throw new FormatException("JSON: unexpected end");
            }
            char c = s[i];
            if (c == '{')
            {
                OrderedDictionary d = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                i++;
                SkipSpace(s, ref i);
                if (i < s.Length && s[i] == '}')
                {
                    i++;
                    return d;
                }
                while (true)
                {
                    SkipSpace(s, ref i);
                    string key = ParseString(s, ref i);
                    SkipSpace(s, ref i);
                    Expect(s, ref i, ':');
                    object v = ParseValue(s, ref i);
                    d[key] = v;
                    SkipSpace(s, ref i);
                    if (i < s.Length && s[i] == ',')
                    {
                        i++;
                        continue;
                    }
                    Expect(s, ref i, '}');
                    return d;
                }
            }
            if (c == '[')
            {
                ArrayList list = new ArrayList();
                i++;
                SkipSpace(s, ref i);
                if (i < s.Length && s[i] == ']')
                {
                    i++;
                    return list.ToArray();
                }
                while (true)
                {
                    list.Add(ParseValue(s, ref i));
                    SkipSpace(s, ref i);
                    if (i < s.Length && s[i] == ',')
                    {
                        i++;
                        continue;
                    }
                    Expect(s, ref i, ']');
                    return list.ToArray();
                }
            }
            if (c == '"')
            {
                return ParseString(s, ref i);
            }
            if (String.CompareOrdinal(s, i, "true", 0, 4) == 0)
            {
                i += 4;
                return true;
            }
            if (String.CompareOrdinal(s, i, "false", 0, 5) == 0)
            {
                i += 5;
                return false;
            }
            if (String.CompareOrdinal(s, i, "null", 0, 4) == 0)
            {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0)
            {
                i++;
            }
            if (i == start)
            {
                throw new FormatException("JSON: unexpected '" + c + "' at " + i);
            }
            string num = s.Substring(start, i - start);
            long l;
            if (num.IndexOfAny(new char[] { '.', 'e', 'E' }) < 0 && Int64.TryParse(num, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l))
            {
                return l;
            }
            return Double.Parse(num, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        private static void Expect(string s, ref int i, char c)
        {
            if (i >= s.Length || s[i] != c)
            {
                throw new FormatException("JSON: expected '" + c + "' at " + i);
            }
            i++;
        }

        private static string ParseString(string s, ref int i)
        {
            Expect(s, ref i, '"');
            StringBuilder sb = new StringBuilder();
            while (true)
            {
                if (i >= s.Length)
                {
                    throw new FormatException("JSON: unterminated string");
                }
                char c = s[i++];
                if (c == '"')
                {
                    return sb.ToString();
                }
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }
                if (i >= s.Length)
                {
                    throw new FormatException("JSON: unterminated escape");
                }
                char e = s[i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length)
                        {
                            throw new FormatException("JSON: short \\u escape");
                        }
                        sb.Append((char)Int32.Parse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default:
                        throw new FormatException("JSON: bad escape \\" + e);
                }
            }
        }

        // Writes a value as JSON: dictionaries as objects (keys as text),
        // other collections as arrays, strings cleaned as CleanText does (so
        // the library never sees an unpaired surrogate), numbers in the
        // invariant culture, anything else as its text.
        public static string ToJson(object value)
        {
            StringBuilder sb = new StringBuilder();
            WriteJson(sb, value, 0);
            return sb.ToString();
        }

        private static object Unwrap(object value)
        {
            // A PowerShell PSObject around a .NET value (no reference to
            // System.Management.Automation here: by name and reflection).
            if (value != null && value.GetType().FullName == "System.Management.Automation.PSObject")
            {
                object b = value.GetType().GetProperty("BaseObject").GetValue(value, null);
                if (b != null && b.GetType().FullName != "System.Management.Automation.PSCustomObject")
                {
                    return b;
                }
            }
            return value;
        }

        private static void WriteJson(StringBuilder sb, object value, int depth)
        {
            if (depth > 64)
            {
                throw new InvalidOperationException("JSON: nested deeper than 64 levels");
            }
            value = Unwrap(value);
            if (value == null)
            {
                sb.Append("null");
                return;
            }
            if (value is string || value is char || value is Enum || value is Guid || value is Version)
            {
                WriteString(sb, value.ToString());
                return;
            }
            if (value is bool)
            {
                sb.Append((bool)value ? "true" : "false");
                return;
            }
            if (value is double || value is float)
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (Double.IsNaN(d) || Double.IsInfinity(d))
                {
                    sb.Append("null");
                }
                else
                {
                    sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                }
                return;
            }
            if (value is int || value is long || value is short || value is byte || value is sbyte || value is uint || value is ulong || value is ushort || value is decimal)
            {
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            if (value is DateTime)
            {
                WriteString(sb, ((DateTime)value).ToString("o", CultureInfo.InvariantCulture));
                return;
            }
            IDictionary dict = value as IDictionary;
            if (dict != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (DictionaryEntry e in dict)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteString(sb, Convert.ToString(e.Key, CultureInfo.InvariantCulture));
                    sb.Append(':');
                    WriteJson(sb, e.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            IEnumerable list = value as IEnumerable;
            if (list != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (object item in list)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteJson(sb, item, depth + 1);
                }
                sb.Append(']');
                return;
            }
            WriteString(sb, Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        private static void WriteString(StringBuilder sb, string s)
        {
            int ignored;
            s = CleanText(s, out ignored);
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < ' ')
                        {
                            sb.Append("\\u");
                            sb.Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }
                        break;
                }
            }
            sb.Append('"');
        }
    }
}
