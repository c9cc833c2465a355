// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): what one
// Test-CsOnlineConnector call shares: -Endpoint, the output language, the
// context and a worker's outcome.
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Collections.Specialized;
    using System.Globalization;
    using System.Net;
    using System.Text;

    public static partial class Native__SUFFIX__
    {
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
        // The catalog's "facts" member (facts.json: service hosts, modules,
        // public domains), parsed with the output languages, on the warm-up
        // thread as a rule: the host facts read it without a parse of their own.
        private static volatile object serviceFacts;

        // facts.json as the library compiles it in, parsed (an IDictionary);
        // null when the catalog cannot be read (the caller says so).
        public static object ServiceFacts()
        {
            object known = serviceFacts;
            if (known != null)
            {
                return known;
            }
            OutputLanguages();
            return serviceFacts;
        }

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
                    serviceFacts = doc == null ? null : doc["facts"];
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
    }
}
