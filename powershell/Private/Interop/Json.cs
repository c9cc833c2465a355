// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): JSON in and out.
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Collections.Specialized;
    using System.Globalization;
    using System.Text;

    public static partial class Native__SUFFIX__
    {
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
