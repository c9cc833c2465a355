// P/Invoke bridge to the csod native library: one static partial class,
// Native__SUFFIX__, over the files of Private/Interop/ (one job each, this
// one first). The module joins them in the order of $script:CsodInteropFiles
// (Native.ps1), fills in the placeholders (the library's absolute path, a
// suffix that makes the type name unique for this source text, and the
// files' stamp: Loading.cs, SourceStamp) and hands the result to Add-Type
// as one source. Each file puts its using
// directives inside the namespace, so that the joined text is one valid
// compilation unit.
// It must compile as C# 5 on .NET Framework 4.x (Windows PowerShell 5.1's
// compiler): no string interpolation, no nameof, no expression bodies.
// Strings cross as UTF-16 (the library's _w functions); every string the
// library returns is copied and then freed with csod_wstring_free.
//
// Besides the calls, the module's helpers that must be fast on a first call
// live in this class: JSON in and out (ConvertTo-Json / ConvertFrom-Json would
// load Microsoft.PowerShell.Utility, ~200 ms of a fresh session), text
// cleaning, the cancellable diagnose (DiagnoseCall) and the file scanner
// (ScanCall).
// The Try* methods and the two call objects never throw for a failure of the
// library or of the file system: they return the reason, so that the module
// writes exactly one ErrorRecord per failure.
//
// This file: the library's exports and the calls into them.
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Runtime.InteropServices;

    public static partial class Native__SUFFIX__
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
    }
}
