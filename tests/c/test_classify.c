/*
 * test_classify.c: classify (UTF-8, length-taking, records, UTF-16), the
 * catalog, freeing strings and the last error, from C (see test_csod.c).
 */
#include "test_csod.h"

/* Texts: English originals of the seed (see tests/corpus/en.json). */
static const char *EXEC_POLICY_EN =
    "Import-Module : File C:\\Program Files\\Common Files\\Skype for Business Online\\Modules\\"
    "SkypeOnlineConnector\\SkypeOnlineConnectorStartup.psm1 cannot be loaded because running "
    "scripts is disabled on this system. For more information, see about_Execution_Policies at "
    "https:/go.microsoft.com/fwlink/?LinkID=135170.\n"
    "At line:1 char:1\n"
    "+ Import-Module SkypeOnlineConnector\n"
    "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
    "    + CategoryInfo          : SecurityError: (:) [Import-Module], PSSecurityException\n"
    "    + FullyQualifiedErrorId : UnauthorizedAccess,Microsoft.PowerShell.Commands.ImportModuleCommand";
static const char *SHELLS_USER_EN =
    "New-PSSession : [admin.vDomain.com] Connecting to remote server admin.vDomain.com failed with "
    "the following error message : The WS-Management service cannot process the request. The maximum "
    "number of concurrent shells for this user has been exceeded. Close existing shells or raise the "
    "quota for this user.";
/* French (machine translation of the seed), UTF-8. */
static const char *LOGON_FR =
    "Get-CsWebTicket : \xc3\xa9" "chec de l\xe2\x80\x99ouverture de session de l\xe2\x80\x99utilisateur"
    "\xe2\x80\x99kenmyer@litwareinc.com'. Cr\xc3\xa9" "ez un nouvel objet PSCredential en veillant \xc3\xa0 "
    "utiliser le nom d\xe2\x80\x99utilisateur et le mot de passe appropri\xc3\xa9s.";
/* A related error that is not ours: no match (a cmdlet of the connector's
 * session failing on the remote side; tests/corpus/en.json has it too). */
static const char *NEGATIVE_EN =
    "Set-CsUser : Management object not found for identity \"nobody@contoso.com\".\n"
    "    + CategoryInfo          : NotSpecified: (:) [Set-CsUser], ManagementException\n"
    "    + FullyQualifiedErrorId : Microsoft.Rtc.Management.AD.ManagementException,"
    "Microsoft.Rtc.Management.AD.Cmdlets.SetOcsUserCmdlet";
/* This file's negative until the remoting family: now winrm_name_not_resolved. */
static const char *NAME_NOT_RESOLVED_EN =
    "New-PSSession : [admin0a.online.lync.com] Connecting to remote server admin0a.online.lync.com "
    "failed with the following error message : The WinRM client cannot process the request because "
    "the server name cannot be resolved.";
static const char *RECORD_OK =
    "{\"message\":\"The maximum number of concurrent shells for this tenant has been exceeded.\","
    "\"fully_qualified_error_id\":\"-2144108123,PSSessionOpenFailed\",\"hresult\":-2144108123,"
    "\"unknown_key\":{\"nested\":[1,2,3]},\"command\":\"New-PSSession\"}";

/* ---- one test per export -------------------------------------------------- */

void test_csod_abi_version(void)
{
    CHECK(csod_abi_version() == CSOD_ABI_VERSION, "abi %u != header %d", csod_abi_version(),
          CSOD_ABI_VERSION);
    CHECK(csod_abi_version() == 1, "abi is %u", csod_abi_version());
}

void test_csod_version(void)
{
    const char *v = csod_version();
    CHECK(v != NULL && strlen(v) >= 5 && strchr(v, '.') != NULL, "version %s", v ? v : "NULL");
}

void test_csod_classify(void)
{
    const char *ep[] = {"\"id\":\"execution_policy\"", "\"language\":\"en\"", "SkypeOnlineConnector", NULL};
    expect_json(csod_classify(EXEC_POLICY_EN, NULL), "classify(exec policy, NULL)", ep);
    const char *su[] = {"\"id\":\"shells_per_user\"", "\"language\":\"fr\"", NULL};
    expect_json(csod_classify(SHELLS_USER_EN, "fr-FR"), "classify(shells, fr-FR)", su);
    const char *lf[] = {"\"id\":\"logon_failed\"", "kenmyer@litwareinc.com", NULL};
    expect_json(csod_classify(LOGON_FR, "en"), "classify(logon fr, en)", lf);
    const char *nr[] = {"\"id\":\"winrm_name_not_resolved\"", "\"language\":\"de\"", NULL};
    expect_json(csod_classify(NAME_NOT_RESOLVED_EN, "de-DE"), "classify(name not resolved, de-DE)", nr);
    expect_no_match(csod_classify(NEGATIVE_EN, "en"), "classify(negative)");
    {
        const char *needles[] = {"\"id\":\"winrm_name_not_resolved\"", NULL};
        expect_json(csod_classify(NAME_NOT_RESOLVED_EN, "en"), "classify(name not resolved)", needles);
    }
    expect_no_match(csod_classify("hello world", ""), "classify(hello, \"\")");

    expect_null(csod_classify(NULL, NULL), "classify(NULL)", "text is NULL");
    expect_null(csod_classify("", NULL), "classify(\"\")", "nothing to classify");
    expect_null(csod_classify("   \n\t ", NULL), "classify(spaces)", "nothing to classify");
    for (const char **b = BAD_UTF8; *b; b++)
        expect_null(csod_classify(*b, NULL), "classify(bad UTF-8)", "not valid UTF-8");
    expect_null(csod_classify(SHELLS_USER_EN, "xx"), "classify(lang xx)", "unknown output language");
    expect_null(csod_classify(SHELLS_USER_EN, "\xff"), "classify(lang bad UTF-8)", "language is not valid UTF-8");
}

void test_csod_classify_n(void)
{
    const char *su[] = {"\"id\":\"shells_per_user\"", NULL};
    expect_json(csod_classify_n((const uint8_t *)SHELLS_USER_EN, strlen(SHELLS_USER_EN), NULL),
                "classify_n(shells)", su);
    /* Not NUL-terminated: a copy without the terminator, exactly sized (valgrind sees overreads). */
    size_t n = strlen(SHELLS_USER_EN);
    uint8_t *exact = malloc(n);
    memcpy(exact, SHELLS_USER_EN, n);
    expect_json(csod_classify_n(exact, n, "en"), "classify_n(no NUL)", su);
    /* Embedded NULs count as spaces: turn every space into a NUL. */
    for (size_t i = 0; i < n; i++)
        if (exact[i] == ' ')
            exact[i] = 0;
    expect_json(csod_classify_n(exact, n, "en"), "classify_n(embedded NULs)", su);
    free(exact);

    expect_null(csod_classify_n(NULL, 0, NULL), "classify_n(NULL, 0)", "nothing to classify");
    expect_null(csod_classify_n(NULL, 5, NULL), "classify_n(NULL, 5)", "NULL with a length of 5");
    expect_null(csod_classify_n((const uint8_t *)"abc", 0, NULL), "classify_n(len 0)", "nothing to classify");
    expect_null(csod_classify_n((const uint8_t *)"abc", (size_t)-1, NULL), "classify_n(len SIZE_MAX)",
                "too large");
    for (const char **b = BAD_UTF8; *b; b++)
        expect_null(csod_classify_n((const uint8_t *)*b, strlen(*b), NULL), "classify_n(bad UTF-8)",
                    "not valid UTF-8");
    expect_null(csod_classify_n((const uint8_t *)"abc", 3, "zz-ZZ"), "classify_n(lang zz)",
                "unknown output language");
}

void test_csod_classify_record(void)
{
    const char *st[] = {"\"id\":\"shells_per_tenant\"", NULL};
    expect_json(csod_classify_record(RECORD_OK, "en"), "record(ok)", st);
    const char *ep[] = {"\"id\":\"execution_policy\"", NULL};
    expect_json(csod_classify_record("{\"fully_qualified_error_id\":\"UnauthorizedAccess,Microsoft."
                                     "PowerShell.Commands.ImportModuleCommand\"}",
                                     NULL),
                "record(fqeid only)", ep);
    expect_json(csod_classify_record("{\"message\":\"x\",\"hresult\":\"0x80338012\"}", "fr"),
                "record(hex string hresult)", NULL);

    expect_null(csod_classify_record(NULL, NULL), "record(NULL)", "record_json is NULL");
    expect_null(csod_classify_record("", NULL), "record(\"\")", "not valid JSON");
    expect_null(csod_classify_record("{\"message\":", NULL), "record(truncated)", "not valid JSON");
    expect_null(csod_classify_record("{'message':'x'}", NULL), "record(single quotes)", "not valid JSON");
    expect_null(csod_classify_record("[1,2]", NULL), "record(array)", "must be a JSON object");
    expect_null(csod_classify_record("\"text\"", NULL), "record(string)", "must be a JSON object");
    expect_null(csod_classify_record("{}", NULL), "record({})", "needs a \"message\"");
    expect_null(csod_classify_record("{\"message\":42}", NULL), "record(message number)", "must be a string");
    expect_null(csod_classify_record("{\"message\":[\"a\"]}", NULL), "record(message array)",
                "must be a string");
    expect_null(csod_classify_record("{\"message\":\"x\",\"hresult\":true}", NULL), "record(hresult bool)",
                "must be a number");
    expect_null(csod_classify_record("{\"message\":\"x\",\"hresult\":1e300}", NULL), "record(hresult 1e300)",
                "32-bit integer");
    expect_null(csod_classify_record("{\"message\":\"x\",\"hresult\":99999999999999999999999}", NULL),
                "record(hresult huge)", "32-bit integer");
    expect_null(csod_classify_record("{\"message\":\"x\",\"error_code\":\"0xZZ\"}", NULL),
                "record(error_code bad hex)", "32-bit integer");
    expect_null(csod_classify_record("{\"message\":\"x\"} trailing", NULL), "record(trailing)",
                "not valid JSON");
    expect_null(csod_classify_record("{\"message\":\"\xff\"}", NULL), "record(bad UTF-8)", "not valid UTF-8");
    expect_null(csod_classify_record("{\"message\":\"\\ud800\"}", NULL), "record(lone surrogate escape)",
                "not valid JSON");
    expect_null(csod_classify_record(RECORD_OK, "klingon"), "record(lang)", "unknown output language");

    /* Deep nesting: serde_json's recursion limit, not a stack overflow. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 64);
    char *p = deep;
    p += sprintf(p, "{\"message\":\"x\",\"k\":");
    memset(p, '[', depth);
    p += depth;
    memset(p, ']', depth);
    p += depth;
    strcpy(p, "}");
    expect_null(csod_classify_record(deep, NULL), "record(nested 100000)", "nested deeper than 32 levels");
    free(deep);
}

void test_csod_classify_w(void)
{
    uint16_t *t = u16(EXEC_POLICY_EN), *fr = u16("fr"), *lfr = u16(LOGON_FR), *xx = u16("xx");
    const char *ep[] = {"\"id\":\"execution_policy\"", "\"language\":\"fr\"", NULL};
    expect_wjson(csod_classify_w(t, fr), "classify_w(exec policy, fr)", ep);
    const char *lf[] = {"\"id\":\"logon_failed\"", "kenmyer@litwareinc.com", NULL};
    expect_wjson(csod_classify_w(lfr, NULL), "classify_w(logon fr)", lf);

    expect_null(csod_classify_w(NULL, NULL), "classify_w(NULL)", "text is NULL");
    uint16_t empty[] = {0};
    expect_null(csod_classify_w(empty, NULL), "classify_w(\"\")", "nothing to classify");
    expect_null(csod_classify_w(LONE_HIGH, NULL), "classify_w(lone high)", "unpaired surrogate");
    expect_null(csod_classify_w(LONE_LOW, NULL), "classify_w(lone low)", "unpaired surrogate");
    expect_null(csod_classify_w(HIGH_AT_END, NULL), "classify_w(high at end)", "unpaired surrogate");
    expect_null(csod_classify_w(t, LONE_LOW), "classify_w(lang surrogate)", "language is not valid UTF-16");
    expect_null(csod_classify_w(t, xx), "classify_w(lang xx)", "unknown output language");
    free(t);
    free(fr);
    free(lfr);
    free(xx);
}

void test_csod_classify_record_w(void)
{
    uint16_t *r = u16(RECORD_OK), *bad = u16("{\"message\":"), *arr = u16("[]"), *en = u16("en-US");
    const char *st[] = {"\"id\":\"shells_per_tenant\"", NULL};
    expect_wjson(csod_classify_record_w(r, en), "record_w(ok)", st);
    expect_null(csod_classify_record_w(NULL, NULL), "record_w(NULL)", "record_json is NULL");
    expect_null(csod_classify_record_w(bad, NULL), "record_w(truncated)", "not valid JSON");
    expect_null(csod_classify_record_w(arr, NULL), "record_w(array)", "must be a JSON object");
    expect_null(csod_classify_record_w(LONE_HIGH, NULL), "record_w(surrogate)", "unpaired surrogate");
    expect_null(csod_classify_record_w(r, LONE_HIGH), "record_w(lang surrogate)", "unpaired surrogate");
    free(r);
    free(bad);
    free(arr);
    free(en);
}

static const char *CATALOG_IDS[] = {
    "\"id\":\"execution_policy\"", "\"id\":\"powershell_version\"", "\"id\":\"winrm_basic_auth\"",
    "\"id\":\"liveid_connect_failed\"", "\"id\":\"liveid_module_load_failed\"", "\"id\":\"logon_failed\"",
    "\"id\":\"tenant_permission\"", "\"id\":\"tenant_access_disabled\"", "\"id\":\"shells_per_user\"",
    "\"id\":\"shells_per_tenant\"", "\"id\":\"session_expired\"", "\"id\":\"connector_retired\"", NULL};

void test_csod_catalog(void)
{
    expect_json(csod_catalog(NULL), "catalog(NULL)", CATALOG_IDS);
    expect_json(csod_catalog("fr"), "catalog(fr)", CATALOG_IDS);
    expect_json(csod_catalog(""), "catalog(\"\")", CATALOG_IDS);
    expect_null(csod_catalog("xx"), "catalog(xx)", "unknown output language");
    expect_null(csod_catalog("\xc3"), "catalog(bad UTF-8)", "not valid UTF-8");
}

void test_csod_catalog_w(void)
{
    uint16_t *fr = u16("fr-CA"), *de = u16("tlh");
    expect_wjson(csod_catalog_w(fr), "catalog_w(fr-CA)", CATALOG_IDS);
    expect_wjson(csod_catalog_w(NULL), "catalog_w(NULL)", CATALOG_IDS);
    expect_null(csod_catalog_w(de), "catalog_w(tlh)", "unknown output language");
    expect_null(csod_catalog_w(LONE_LOW), "catalog_w(surrogate)", "unpaired surrogate");
    free(fr);
    free(de);
}

void test_csod_string_free(void)
{
    csod_string_free(NULL); /* NULL is fine */
    char *s = csod_catalog(NULL);
    CHECK(s != NULL, "catalog: %s", last_error());
    csod_string_free(s);
}

void test_csod_wstring_free(void)
{
    csod_wstring_free(NULL);
    uint16_t *s = csod_catalog_w(NULL);
    CHECK(s != NULL, "catalog_w: %s", last_error());
    csod_wstring_free(s);
}

void test_csod_last_error(void)
{
    /* Cleared by every call; set by a failure; stays until the next call. */
    csod_string_free(csod_classify(NULL, NULL));
    CHECK(strstr(csod_last_error(), "text is NULL") != NULL, "after failure: %s", csod_last_error());
    CHECK(strstr(csod_last_error(), "text is NULL") != NULL, "read twice: %s", csod_last_error());
    char *ok = csod_classify("hello", NULL);
    CHECK(ok != NULL && strcmp(csod_last_error(), "") == 0, "after success: %s", csod_last_error());
    csod_string_free(ok);
}

void test_csod_last_error_w(void)
{
    uint16_t *w = csod_last_error_w();
    CHECK(w != NULL && w[0] == 0, "empty after success");
    csod_wstring_free(w);
    csod_string_free(csod_catalog("xx"));
    char *s = from_u16(csod_last_error_w());
    CHECK(s != NULL && strstr(s, "unknown output language") != NULL, "last_error_w: %s", s ? s : "NULL");
    free(s);
}

void test_csod_last_error_code(void)
{
    /* A success clears it; bad input sets CSOD_ERROR_BAD_INPUT; the code
     * is per thread and reading it changes nothing. */
    char *ok = csod_classify("x", NULL);
    CHECK(ok != NULL, "classify(\"x\")");
    csod_string_free(ok);
    CHECK(csod_last_error_code() == CSOD_ERROR_NONE, "code after a success: %d", (int)csod_last_error_code());
    CHECK(csod_classify(NULL, NULL) == NULL, "classify(NULL)");
    CHECK(csod_last_error_code() == CSOD_ERROR_BAD_INPUT, "code after NULL: %d", (int)csod_last_error_code());
    CHECK(csod_last_error_code() == CSOD_ERROR_BAD_INPUT, "code read twice: %d", (int)csod_last_error_code());
    CHECK(CSOD_ERROR_NONE == 0 && CSOD_ERROR_BAD_INPUT != CSOD_ERROR_INTERNAL, "distinct codes");
}
