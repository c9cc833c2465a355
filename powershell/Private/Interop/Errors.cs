// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): an error (ErrorRecord or
// exception, live or deserialized) as the library's record (ReadError).
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Collections.Specialized;
    using System.Globalization;

    public static partial class Native__SUFFIX__
    {
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
    }
}
