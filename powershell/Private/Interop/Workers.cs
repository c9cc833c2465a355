// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): the calls that run as
// objects: a diagnose another thread can cancel (DiagnoseCall) and the scan
// of one file (ScanCall).
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Globalization;
    using System.IO;
    using System.Runtime.InteropServices;
    using System.Threading;

    public static partial class Native__SUFFIX__
    {
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
    }
}
