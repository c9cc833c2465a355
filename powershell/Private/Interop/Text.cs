// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): text as admins paste it, and
// the library's lists as string[].
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Globalization;
    using System.Text;

    public static partial class Native__SUFFIX__
    {
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
    }
}
