// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): what PowerShell knows about
// this host (HostFacts, WsmanClient, the Get-ExecutionPolicy cmdlet class).
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Collections.Specialized;
    using System.Globalization;
    using System.IO;
    using System.Reflection;

    public static partial class Native__SUFFIX__
    {
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

        // Windows always has the WinRM client; PowerShell 7 elsewhere needs the
        // separately installed WSMan client libraries next to pwsh.
        // The assemblies named in names (facts.json modules.assemblies)
        // loaded in this process: name, version, file and, on .NET (Core),
        // the load context's name (found by reflection: .NET Framework has
        // none). Two builds of one name are what makes the next module fail.
        public static object[] LoadedAssemblies(string[] names)
        {
            ArrayList list = new ArrayList();
            if (names == null || names.Length == 0)
            {
                return list.ToArray();
            }
            MethodInfo contextOf = null;
            PropertyInfo contextName = null;
            Type alc = Type.GetType("System.Runtime.Loader.AssemblyLoadContext", false);
            if (alc != null)
            {
                contextOf = alc.GetMethod("GetLoadContext", BindingFlags.Public | BindingFlags.Static, null, new Type[] { typeof(Assembly) }, null);
                contextName = alc.GetProperty("Name");
            }
            foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
            {
                AssemblyName n = a.GetName();
                if (Array.IndexOf(names, n.Name) < 0)
                {
                    continue;
                }
                OrderedDictionary one = new OrderedDictionary();
                one["name"] = n.Name;
                one["version"] = n.Version == null ? "" : n.Version.ToString();
                string location = "";
                try
                {
                    if (!a.IsDynamic)
                    {
                        location = a.Location ?? "";
                    }
                }
                catch (Exception)
                {
                }
                one["location"] = location;
                if (contextOf != null && contextName != null)
                {
                    try
                    {
                        object context = contextOf.Invoke(null, new object[] { a });
                        object name = context == null ? null : contextName.GetValue(context, null);
                        if (name != null)
                        {
                            one["context"] = name.ToString();
                        }
                    }
                    catch (Exception)
                    {
                    }
                }
                list.Add(one);
            }
            return list.ToArray();
        }

        // The modules the host facts report, from facts.json's "modules"
        // (retired, successor, successors, gallery), each name once.
        public static string[] ReportedModuleNames(object modules)
        {
            ArrayList names = new ArrayList();
            foreach (string key in new string[] { "retired", "successor", "successors", "gallery" })
            {
                foreach (object n in Items(Member(modules, key)))
                {
                    string name = Convert.ToString(PSBase(n), CultureInfo.InvariantCulture);
                    if (!String.IsNullOrEmpty(name) && !names.Contains(name))
                    {
                        names.Add(name);
                    }
                }
            }
            return (string[])names.ToArray(typeof(string));
        }

        // The versions of modules installed under the folders of
        // modulePath (PSModulePath), from the folders alone:
        // <root>/<Name>/<version>/<Name>.psd1, or <root>/<Name>/<Name>.psd1
        // with its ModuleVersion line (PowerShell 7 ships PowerShellGet so).
        // Get-Module -ListAvailable would analyse each manifest (about half
        // a second for PowerShellGet and PackageManagement). Dictionaries of
        // Name, Version, Path, ModuleBase.
        public static object[] ModuleFolders(string[] names, string modulePath)
        {
            ArrayList list = new ArrayList();
            if (names == null || String.IsNullOrEmpty(modulePath))
            {
                return list.ToArray();
            }
            ArrayList seen = new ArrayList();
            foreach (string root in modulePath.Split(Path.PathSeparator))
            {
                if (root.Length == 0 || seen.Contains(root))
                {
                    continue;
                }
                seen.Add(root);
                foreach (string name in names)
                {
                    try
                    {
                        string dir = Path.Combine(root, name);
                        if (!Directory.Exists(dir))
                        {
                            continue;
                        }
                        string flat = Path.Combine(dir, name + ".psd1");
                        if (File.Exists(flat))
                        {
                            string version = ManifestVersion(flat);
                            if (version != null)
                            {
                                list.Add(ModuleFolder(name, version, flat, dir));
                            }
                        }
                        foreach (string sub in Directory.GetDirectories(dir))
                        {
                            System.Version v;
                            string manifest = Path.Combine(sub, name + ".psd1");
                            if (System.Version.TryParse(Path.GetFileName(sub), out v) && File.Exists(manifest))
                            {
                                list.Add(ModuleFolder(name, v.ToString(), manifest, sub));
                            }
                        }
                    }
                    catch (Exception)
                    {
                        // A folder that cannot be read is not a module here.
                    }
                }
            }
            return list.ToArray();
        }

        // The ModuleVersion = '1.2.3' line of a manifest (no regex: its
        // first use costs a first answer more than the read).
        private static string ManifestVersion(string path)
        {
            foreach (string line in File.ReadAllLines(path))
            {
                string t = line.Trim();
                if (!t.StartsWith("ModuleVersion", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                t = t.Substring("ModuleVersion".Length).TrimStart();
                if (!t.StartsWith("=", StringComparison.Ordinal))
                {
                    continue;
                }
                t = t.Substring(1).Trim().Trim('\'', '"');
                System.Version v;
                return System.Version.TryParse(t, out v) ? t : null;
            }
            return null;
        }

        private static Hashtable ModuleFolder(string name, string version, string path, string moduleBase)
        {
            Hashtable h = new Hashtable(StringComparer.OrdinalIgnoreCase);
            h["Name"] = name;
            h["Version"] = version;
            h["Path"] = path;
            h["ModuleBase"] = moduleBase;
            return h;
        }

        public static bool WsmanClient(string os, string psHome)
        {
            if (os == "win")
            {
                return true;
            }
            string ext = os == "osx" ? ".dylib" : ".so";
            return File.Exists(Path.Combine(psHome, "libpsrpclient" + ext)) && File.Exists(Path.Combine(psHome, "libmi" + ext));
        }
    }
}
