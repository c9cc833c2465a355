// Part of the P/Invoke bridge Native__SUFFIX__ (Calls.cs says how the parts
// are joined and what they must compile as): the PowerShell objects the
// module writes (Diagnosis, Finding, Match), built here.
namespace CsOnlineDiagnostics.Interop
{
    using System;
    using System.Collections;
    using System.Collections.Specialized;
    using System.Globalization;
    using System.Reflection;

    public static partial class Native__SUFFIX__
    {
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
    }
}
