// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): PowerShell objects read by
// reflection, and what a pipeline object is (InputKind).
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Globalization;
    using System.IO;
    using System.Reflection;

    public static partial class Native__SUFFIX__
    {
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
    }
}
