/*
 * test_csod.c: every export of include/csod.h called from C with good and bad
 * input, as a C, C++ or P/Invoke caller would. Run by tests/c/run.sh, plain,
 * under valgrind and under AddressSanitizer; it must free everything it gets.
 *
 * The EXPORTS table at the bottom lists one test per export. run.sh compares
 * `test_csod --list` with the functions declared in include/csod.h and fails
 * when an export has no test here: a new export (csod_diagnose, csod_scan...)
 * gets a `test_<name>` function and a row in the table.
 *
 * Results are checked with strstr on the JSON: enough to assert the schema,
 * the ids and the error texts without a JSON parser in C.
 */
/* clock_gettime, nanosleep, sockets, mkfifo: POSIX beyond C11. */
#define _POSIX_C_SOURCE 200809L
#include "csod.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

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

/* ---- helpers ------------------------------------------------------------ */

static const char *last_error(void)
{
    const char *e = csod_last_error();
    return e ? e : "(NULL last error)";
}

/* Checks a UTF-8 JSON result: not NULL, schema 1, each needle present; frees it. */
static void expect_json(char *out, const char *what, const char *const *needles)
{
    CHECK(out != NULL, "%s returned NULL: %s", what, last_error());
    if (!out)
        return;
    CHECK(strcmp(last_error(), "") == 0, "%s succeeded but last error is %s", what, last_error());
    CHECK(strstr(out, "\"schema\":1") != NULL, "%s: no \"schema\":1 in %.200s", what, out);
    for (; needles && *needles; needles++)
        CHECK(strstr(out, *needles) != NULL, "%s: %s not in %.300s", what, *needles, out);
    csod_string_free(out);
}

/* Checks a NULL result whose last error mentions `why`. */
static void expect_null(void *out, const char *what, const char *why)
{
    CHECK(out == NULL, "%s should be NULL (bad input)", what);
    const char *e = last_error();
    CHECK(strlen(e) > 0, "%s: empty last error after bad input", what);
    CHECK(strstr(e, why) != NULL, "%s: last error \"%s\" does not say \"%s\"", what, e, why);
    /* Its code says which kind of failure, without parsing the text. */
    int32_t want = strncmp(why, "cancelled", 9) == 0 ? CSOD_ERROR_CANCELLED : CSOD_ERROR_BAD_INPUT;
    CHECK(csod_last_error_code() == want, "%s: csod_last_error_code() is %d, not %d", what,
          (int)csod_last_error_code(), (int)want);
    /* The UTF-16 form says the same. */
    uint16_t *w = csod_last_error_w();
    CHECK(w != NULL, "%s: csod_last_error_w returned NULL", what);
    if (w) {
        size_t n = 0;
        while (w[n])
            n++;
        CHECK(n > 0, "%s: csod_last_error_w is empty", what);
        csod_wstring_free(w);
    }
}

/* UTF-8 to a new NUL-terminated UTF-16 buffer (caller frees with free()). */
static uint16_t *u16(const char *s)
{
    size_t n = strlen(s);
    uint16_t *out = calloc(n + 1, sizeof(uint16_t)); /* UTF-16 units <= UTF-8 bytes */
    size_t j = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        if (p[0] < 0x80) {
            c = p[0];
            p += 1;
        } else if ((p[0] & 0xE0) == 0xC0) {
            c = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if ((p[0] & 0xF0) == 0xE0) {
            c = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            p += 3;
        } else {
            c = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
                ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
            p += 4;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            out[j++] = (uint16_t)(0xD800 | (c >> 10));
            out[j++] = (uint16_t)(0xDC00 | (c & 0x3FF));
        } else {
            out[j++] = (uint16_t)c;
        }
    }
    out[j] = 0;
    return out;
}

/* UTF-16 result to new UTF-8 (caller frees with free()); frees the input. */
static char *from_u16(uint16_t *w)
{
    if (!w)
        return NULL;
    size_t n = 0;
    while (w[n])
        n++;
    char *out = malloc(n * 3 + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = w[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n) {
            c = 0x10000 + ((c - 0xD800) << 10) + (w[i + 1] - 0xDC00);
            i++;
        }
        if (c < 0x80) {
            out[j++] = (char)c;
        } else if (c < 0x800) {
            out[j++] = (char)(0xC0 | (c >> 6));
            out[j++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[j++] = (char)(0xE0 | (c >> 12));
            out[j++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[j++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[j++] = (char)(0xF0 | (c >> 18));
            out[j++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[j++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[j++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[j] = 0;
    csod_wstring_free(w);
    return out;
}

/* As expect_json for a UTF-16 result (frees it). */
static void expect_wjson(uint16_t *out, const char *what, const char *const *needles)
{
    CHECK(out != NULL, "%s returned NULL: %s", what, last_error());
    if (!out)
        return;
    char *s = from_u16(out);
    CHECK(strstr(s, "\"schema\":1") != NULL, "%s: no \"schema\":1 in %.200s", what, s);
    for (; needles && *needles; needles++)
        CHECK(strstr(s, *needles) != NULL, "%s: %s not in %.300s", what, *needles, s);
    free(s);
}

static void expect_no_match(char *out, const char *what)
{
    const char *needles[] = {"\"matches\":[]", NULL};
    expect_json(out, what, needles);
}

/* Invalid UTF-8: a lone continuation byte, an overlong form, a surrogate. */
static const char *BAD_UTF8[] = {"abc\x80xyz", "\xc0\xaf", "\xed\xa0\x80", "New-PSSession \xff", NULL};
/* UTF-16 with unpaired surrogates. */
static const uint16_t LONE_HIGH[] = {'a', 0xD800, 'b', 0};
static const uint16_t LONE_LOW[] = {0xDC00, 0};
static const uint16_t HIGH_AT_END[] = {'x', 0xDBFF, 0};

/* ---- one test per export -------------------------------------------------- */

static void test_csod_abi_version(void)
{
    CHECK(csod_abi_version() == CSOD_ABI_VERSION, "abi %u != header %d", csod_abi_version(),
          CSOD_ABI_VERSION);
    CHECK(csod_abi_version() == 1, "abi is %u", csod_abi_version());
}

static void test_csod_version(void)
{
    const char *v = csod_version();
    CHECK(v != NULL && strlen(v) >= 5 && strchr(v, '.') != NULL, "version %s", v ? v : "NULL");
}

static void test_csod_classify(void)
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

static void test_csod_classify_n(void)
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

static void test_csod_classify_record(void)
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

static void test_csod_classify_w(void)
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

static void test_csod_classify_record_w(void)
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

static void test_csod_catalog(void)
{
    expect_json(csod_catalog(NULL), "catalog(NULL)", CATALOG_IDS);
    expect_json(csod_catalog("fr"), "catalog(fr)", CATALOG_IDS);
    expect_json(csod_catalog(""), "catalog(\"\")", CATALOG_IDS);
    expect_null(csod_catalog("xx"), "catalog(xx)", "unknown output language");
    expect_null(csod_catalog("\xc3"), "catalog(bad UTF-8)", "not valid UTF-8");
}

static void test_csod_catalog_w(void)
{
    uint16_t *fr = u16("fr-CA"), *de = u16("tlh");
    expect_wjson(csod_catalog_w(fr), "catalog_w(fr-CA)", CATALOG_IDS);
    expect_wjson(csod_catalog_w(NULL), "catalog_w(NULL)", CATALOG_IDS);
    expect_null(csod_catalog_w(de), "catalog_w(tlh)", "unknown output language");
    expect_null(csod_catalog_w(LONE_LOW), "catalog_w(surrogate)", "unpaired surrogate");
    free(fr);
    free(de);
}

static void test_csod_string_free(void)
{
    csod_string_free(NULL); /* NULL is fine */
    char *s = csod_catalog(NULL);
    CHECK(s != NULL, "catalog: %s", last_error());
    csod_string_free(s);
}

static void test_csod_wstring_free(void)
{
    csod_wstring_free(NULL);
    uint16_t *s = csod_catalog_w(NULL);
    CHECK(s != NULL, "catalog_w: %s", last_error());
    csod_wstring_free(s);
}

static void test_csod_last_error(void)
{
    /* Cleared by every call; set by a failure; stays until the next call. */
    csod_string_free(csod_classify(NULL, NULL));
    CHECK(strstr(csod_last_error(), "text is NULL") != NULL, "after failure: %s", csod_last_error());
    CHECK(strstr(csod_last_error(), "text is NULL") != NULL, "read twice: %s", csod_last_error());
    char *ok = csod_classify("hello", NULL);
    CHECK(ok != NULL && strcmp(csod_last_error(), "") == 0, "after success: %s", csod_last_error());
    csod_string_free(ok);
}

static void test_csod_last_error_w(void)
{
    uint16_t *w = csod_last_error_w();
    CHECK(w != NULL && w[0] == 0, "empty after success");
    csod_wstring_free(w);
    csod_string_free(csod_catalog("xx"));
    char *s = from_u16(csod_last_error_w());
    CHECK(s != NULL && strstr(s, "unknown output language") != NULL, "last_error_w: %s", s ? s : "NULL");
    free(s);
}

/* Requests that probe nothing beyond this process: no endpoints. */
static const char *REQUEST_OK = "{\"endpoints\":[],\"timeout_ms\":100}";
static const char *REQUEST_ERROR =
    "{\"endpoints\":[],\"timeout_ms\":100,\"language\":\"fr\",\"unknown\":[1,{}],"
    "\"error\":{\"message\":\"The maximum number of concurrent shells for this user has been exceeded.\","
    "\"fully_qualified_error_id\":\"-2144108123,PSSessionOpenFailed\"}}";

static void test_csod_diagnose(void)
{
    const char *ok[] = {"\"findings\":[", "\"facts\":[", "\"endpoints\":[]", "\"language\":\"en\"", NULL};
    expect_json(csod_diagnose(REQUEST_OK), "diagnose(no endpoints)", ok);
    const char *err[] = {"\"matches\":[", "\"id\":\"shells_per_user\"", "\"language\":\"fr\"", NULL};
    expect_json(csod_diagnose(REQUEST_ERROR), "diagnose(error, fr)", err);

    expect_null(csod_diagnose(NULL), "diagnose(NULL)", "request_json is NULL");
    expect_null(csod_diagnose(""), "diagnose(\"\")", "not valid JSON");
    expect_null(csod_diagnose("{\"endpoints\":"), "diagnose(truncated)", "not valid JSON");
    expect_null(csod_diagnose("[]"), "diagnose(array)", "must be a JSON object");
    expect_null(csod_diagnose("{\"endpoints\":[],\"timeout_ms\":\"x\"}"), "diagnose(timeout string)",
                "timeout_ms must be a number");
    expect_null(csod_diagnose("{\"endpoints\":{}}"), "diagnose(endpoints object)", "must be an array");
    expect_null(csod_diagnose("{\"endpoints\":[{\"name\":\"a\",\"host\":\"h\",\"port\":70000}]}"),
                "diagnose(port 70000)", "65535");
    expect_null(csod_diagnose("{\"endpoints\":[],\"language\":\"xx\"}"), "diagnose(language xx)",
                "unknown output language");
    expect_null(csod_diagnose("{\"endpoints\":[],\"error\":{\"message\":5}}"), "diagnose(error message 5)",
                "must be a string");
    for (const char **b = BAD_UTF8; *b; b++)
        expect_null(csod_diagnose(*b), "diagnose(bad UTF-8)", "not valid UTF-8");
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 64);
    char *p = deep;
    p += sprintf(p, "{\"endpoints\":[],\"x\":");
    memset(p, '{', 1);
    p += 1;
    memset(p, '[', depth);
    p += depth;
    strcpy(p, "");
    expect_null(csod_diagnose(deep), "diagnose(nested 100000)", "nested deeper than 32 levels");
    free(deep);
}

static void test_csod_diagnose_w(void)
{
    uint16_t *ok = u16(REQUEST_OK), *err = u16(REQUEST_ERROR), *bad = u16("{\"timeout_ms\":");
    const char *okn[] = {"\"findings\":[", NULL};
    expect_wjson(csod_diagnose_w(ok), "diagnose_w(no endpoints)", okn);
    const char *errn[] = {"\"id\":\"shells_per_user\"", NULL};
    expect_wjson(csod_diagnose_w(err), "diagnose_w(error)", errn);
    expect_null(csod_diagnose_w(NULL), "diagnose_w(NULL)", "request_json is NULL");
    expect_null(csod_diagnose_w(bad), "diagnose_w(truncated)", "not valid JSON");
    expect_null(csod_diagnose_w(LONE_HIGH), "diagnose_w(surrogate)", "unpaired surrogate");
    free(ok);
    free(err);
    free(bad);
}

/* ---- cancelling a diagnose from another thread ---------------------------- */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* A black-holed port on 127.0.0.1: a listener with the smallest backlog
 * whose accept queue is full, so the kernel drops new SYNs and a connect
 * waits until its timeout. Returns the port (0 on failure) and the sockets
 * to close in fds[0..*n). */
static int black_hole(int *fds, int *n)
{
    *n = 0;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 0) != 0 ||
        getsockname(l, (struct sockaddr *)&a, &alen) != 0)
        return 0;
    fds[(*n)++] = l;
    /* Fill the queue: connect until one does not complete within 300 ms. */
    for (int i = 0; i < 16; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        fcntl(c, F_SETFL, O_NONBLOCK);
        int r = connect(c, (struct sockaddr *)&a, sizeof a);
        struct pollfd p = {c, POLLOUT, 0};
        if (r == 0 || (errno == EINPROGRESS && poll(&p, 1, 300) == 1)) {
            fds[(*n)++] = c;
            continue;
        }
        close(c);
        break;
    }
    return ntohs(a.sin_port);
}

struct cancel_call {
    const char *request;
    const CsodCancel *token;
    int wide;
    char *result;
    uint16_t *wresult;
    char error[256];
    double returned_ms;
};

static void *cancel_call_thread(void *arg)
{
    struct cancel_call *c = arg;
    if (c->wide) {
        uint16_t *w = u16(c->request);
        c->wresult = csod_diagnose_cancellable_w(w, c->token);
        free(w);
    } else {
        c->result = csod_diagnose_cancellable(c->request, c->token);
    }
    /* The last error is per thread: read it here. */
    snprintf(c->error, sizeof c->error, "%s", last_error());
    c->returned_ms = now_ms();
    return NULL;
}

/* A diagnose of a black-holed endpoint with a 20 s timeout, cancelled from
 * this thread after 300 ms: NULL, "cancelled", well before the timeout. */
static void cancel_black_holed(int wide)
{
    int fds[20], n = 0;
    int port = black_hole(fds, &n);
    CHECK(port > 0, "black-holed listener: %s", strerror(errno));
    char req[256];
    snprintf(req, sizeof req,
             "{\"timeout_ms\":20000,\"endpoints\":[{\"name\":\"hole\",\"host\":\"127.0.0.1\",\"port\":%d}]}",
             port);
    CsodCancel *token = csod_cancel_new();
    CHECK(token != NULL, "csod_cancel_new returned NULL");
    struct cancel_call call;
    memset(&call, 0, sizeof call);
    call.request = req;
    call.token = token;
    call.wide = wide;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, cancel_call_thread, &call) == 0, "pthread_create");
    sleep_ms(300);
    double cancelled = now_ms();
    csod_cancel(token);
    csod_cancel(token); /* a second Ctrl-C is harmless */
    pthread_join(t, NULL);
    csod_cancel_free(token);
    double latency = call.returned_ms - cancelled;
    printf("csod_diagnose_cancellable%s: NULL %.1f ms after csod_cancel (timeout 20 s)\n",
           wide ? "_w" : "", latency);
    CHECK(call.result == NULL && call.wresult == NULL, "a cancelled diagnose returned a result");
    csod_string_free(call.result);
    csod_wstring_free(call.wresult);
    CHECK(strncmp(call.error, "cancelled", 9) == 0, "last error \"%s\"", call.error);
    CHECK(latency >= 0, "returned before the cancel");
    /* A hang guard (valgrind slows everything): the timeout is 20 s. */
    CHECK(latency < 5000, "returned %.0f ms after csod_cancel", latency);
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

static void test_csod_diagnose_cancellable(void)
{
    /* NULL token: as csod_diagnose; a live token not cancelled: the same. */
    const char *ok[] = {"\"findings\":[", "\"facts\":[", NULL};
    expect_json(csod_diagnose_cancellable(REQUEST_OK, NULL), "diagnose_cancellable(NULL token)", ok);
    CsodCancel *token = csod_cancel_new();
    const char *err[] = {"\"id\":\"shells_per_user\"", "\"language\":\"fr\"", NULL};
    expect_json(csod_diagnose_cancellable(REQUEST_ERROR, token), "diagnose_cancellable(token)", err);
    expect_null(csod_diagnose_cancellable(NULL, token), "diagnose_cancellable(NULL)", "request_json is NULL");
    expect_null(csod_diagnose_cancellable("[]", token), "diagnose_cancellable(array)", "must be a JSON object");
    /* Cancelled before the call: NULL at once. */
    csod_cancel(token);
    expect_null(csod_diagnose_cancellable(REQUEST_OK, token), "diagnose_cancellable(cancelled)", "cancelled");
    csod_cancel_free(token);
    cancel_black_holed(0);
}

static void test_csod_diagnose_cancellable_w(void)
{
    uint16_t *ok = u16(REQUEST_OK);
    const char *okn[] = {"\"findings\":[", NULL};
    CsodCancel *token = csod_cancel_new();
    expect_wjson(csod_diagnose_cancellable_w(ok, token), "diagnose_cancellable_w(token)", okn);
    expect_null(csod_diagnose_cancellable_w(LONE_HIGH, token), "diagnose_cancellable_w(surrogate)",
                "unpaired surrogate");
    csod_cancel(token);
    expect_null(csod_diagnose_cancellable_w(ok, token), "diagnose_cancellable_w(cancelled)", "cancelled");
    csod_cancel_free(token);
    free(ok);
    cancel_black_holed(1);
}

static void test_csod_cancel_new(void)
{
    CsodCancel *a = csod_cancel_new(), *b = csod_cancel_new();
    CHECK(a != NULL && b != NULL && a != b, "two tokens");
    csod_cancel_free(a);
    csod_cancel_free(b);
}

static void test_csod_cancel(void)
{
    csod_cancel(NULL);
    /* It leaves the thread's last error alone. */
    expect_null(csod_diagnose(""), "diagnose(\"\")", "not valid JSON");
    CsodCancel *t = csod_cancel_new();
    csod_cancel(t);
    CHECK(strstr(last_error(), "not valid JSON") != NULL, "csod_cancel changed the last error: %s",
          last_error());
    csod_cancel_free(t);
}

static void test_csod_cancel_free(void)
{
    csod_cancel_free(NULL);
    CsodCancel *t = csod_cancel_new();
    csod_cancel(t);
    csod_cancel_free(t); /* cancelled or not: freed */
}

/* ---- what a path names ------------------------------------------------------ */

static void test_csod_file_kind(void)
{
    char dir[] = "/tmp/csod-c-file-kind-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
    char file[128], fifo[128], missing[128];
    snprintf(file, sizeof file, "%s/a.txt", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(missing, sizeof missing, "%s/missing", dir);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL, "fopen");
    if (f)
        fclose(f);
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
    CHECK(csod_file_kind(file) == CSOD_FILE_REGULAR, "regular file");
    CHECK(csod_file_kind(dir) == CSOD_FILE_DIRECTORY, "directory");
    CHECK(csod_file_kind(fifo) == CSOD_FILE_OTHER, "FIFO");
    CHECK(csod_file_kind("/dev/null") == CSOD_FILE_OTHER, "/dev/null");
    CHECK(csod_file_kind(missing) == CSOD_FILE_MISSING, "missing");
    CHECK(strcmp(last_error(), "") == 0, "a good call left a last error: %s", last_error());
    CHECK(csod_file_kind(NULL) == -1, "NULL path");
    CHECK(strstr(last_error(), "path is NULL") != NULL, "NULL path: %s", last_error());
    CHECK(csod_file_kind(BAD_UTF8[0]) == -1, "bad UTF-8");
    unlink(fifo);
    unlink(file);
    rmdir(dir);
}

static void test_csod_file_kind_w(void)
{
    uint16_t *w = u16("/dev/null");
    CHECK(csod_file_kind_w(w) == CSOD_FILE_OTHER, "/dev/null (UTF-16)");
    free(w);
    w = u16("/");
    CHECK(csod_file_kind_w(w) == CSOD_FILE_DIRECTORY, "/ (UTF-16)");
    free(w);
    CHECK(csod_file_kind_w(NULL) == -1, "NULL path (UTF-16)");
    CHECK(csod_file_kind_w(LONE_HIGH) == -1, "lone surrogate");
    CHECK(strstr(last_error(), "unpaired surrogate") != NULL, "lone surrogate: %s", last_error());
}

/* ---- bulk scan ------------------------------------------------------------ */

/* A transcript: a prompt, the shells-per-user error (line 2), CRLF. */
static const char *TRANSCRIPT =
    "PS C:\\> New-PSSession\r\n"
    "New-PSSession : [admin.vDomain.com] Connecting to remote server admin.vDomain.com failed with "
    "the following error message : The WS-Management service cannot process the request. The maximum "
    "number of concurrent shells for this user has been exceeded.\r\n\r\n";

static void test_csod_scan(void)
{
    const char *hit[] = {"\"line\":2", "\"offset\":23", "\"id\":\"shells_per_user\"", "\"lines\":3", NULL};
    expect_json(csod_scan((const uint8_t *)TRANSCRIPT, strlen(TRANSCRIPT), NULL), "scan(transcript)", hit);
    const char *fr[] = {"\"language\":\"fr\"", "\"truncated\":true", "\"shells_per_user\":1", NULL};
    expect_json(csod_scan((const uint8_t *)TRANSCRIPT, strlen(TRANSCRIPT), "{\"language\":\"fr-FR\",\"max_hits\":0}"),
                "scan(fr, max_hits 0)", fr);
    const char *empty[] = {"\"lines\":0", "\"hits\":[]", NULL};
    expect_json(csod_scan(NULL, 0, NULL), "scan(NULL, 0)", empty);
    /* Invalid UTF-8 is data, not bad input. */
    for (const char **b = BAD_UTF8; *b; b++)
        expect_json(csod_scan((const uint8_t *)*b, strlen(*b), NULL), "scan(bad UTF-8 data)", empty + 1);
    expect_null(csod_scan(NULL, 5, NULL), "scan(NULL, 5)", "data is NULL");
    expect_null(csod_scan((const uint8_t *)"x", 1, "{\"max_hits\":\"many\"}"), "scan(max_hits string)",
                "max_hits");
    expect_null(csod_scan((const uint8_t *)"x", 1, "[1]"), "scan(options array)", "JSON object");
    expect_null(csod_scan((const uint8_t *)"x", 1, "{\"language\":\"xx\"}"), "scan(language xx)",
                "unknown output language");
    for (const char **b = BAD_UTF8; *b; b++)
        expect_null(csod_scan((const uint8_t *)"x", 1, *b), "scan(options bad UTF-8)", "not valid UTF-8");
}

static void test_csod_scan_w(void)
{
    /* UTF-16 LE with BOM, as Windows PowerShell 5.1 writes transcripts. */
    size_t n = strlen(TRANSCRIPT);
    uint8_t *data = malloc(2 + 2 * n);
    data[0] = 0xFF;
    data[1] = 0xFE;
    for (size_t i = 0; i < n; i++) {
        data[2 + 2 * i] = (uint8_t)TRANSCRIPT[i];
        data[3 + 2 * i] = 0;
    }
    uint16_t *opts = u16("{\"fields\":false}");
    const char *hit[] = {"\"line\":2", "\"offset\":48", "\"encoding\":\"utf-16le\"", NULL};
    expect_wjson(csod_scan_w(data, 2 + 2 * n, opts), "scan_w(utf-16le)", hit);
    expect_null(csod_scan_w(data, 2 + 2 * n, LONE_HIGH), "scan_w(options surrogate)", "unpaired surrogate");
    free(opts);
    free(data);
}

static void test_csod_scanner_new(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    CHECK(s != NULL, "scanner_new(NULL): %s", last_error());
    csod_scanner_free(s);
    expect_null(csod_scanner_new("{\"fields\":1}"), "scanner_new(fields 1)", "fields");
    expect_null(csod_scanner_new("{\"encoding\":\"ebcdic\"}"), "scanner_new(encoding)", "encoding");
}

static void test_csod_scanner_new_w(void)
{
    uint16_t *o = u16("{\"encoding\":\"utf-8\"}");
    CsodScanner *s = csod_scanner_new_w(o);
    CHECK(s != NULL, "scanner_new_w: %s", last_error());
    csod_scanner_free(s);
    expect_null(csod_scanner_new_w(LONE_HIGH), "scanner_new_w(surrogate)", "unpaired surrogate");
    free(o);
}

static void test_csod_scanner_feed(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    size_t n = strlen(TRANSCRIPT);
    /* One byte at a time: every chunk boundary. */
    for (size_t i = 0; i < n; i++)
        CHECK(csod_scanner_feed(s, (const uint8_t *)TRANSCRIPT + i, 1) == 0, "feed byte %zu", i);
    CHECK(csod_scanner_feed(s, NULL, 0) == 0, "feed(NULL, 0)");
    CHECK(csod_scanner_feed(s, NULL, 3) == -1, "feed(NULL, 3) should fail");
    CHECK(strstr(last_error(), "data is NULL") != NULL, "feed(NULL, 3): %s", last_error());
    CHECK(csod_scanner_feed(NULL, (const uint8_t *)"x", 1) == -1, "feed(NULL scanner) should fail");
    const char *hit[] = {"\"line\":2", "\"offset\":23", NULL};
    expect_json(csod_scanner_finish(s), "finish after byte feeds", hit);
    CHECK(csod_scanner_feed(s, (const uint8_t *)"x", 1) == -1, "feed after finish should fail");
    csod_scanner_free(s);
}

static void test_csod_scanner_finish(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    const char *empty[] = {"\"bytes\":0", NULL};
    expect_json(csod_scanner_finish(s), "finish(nothing fed)", empty);
    expect_null(csod_scanner_finish(s), "finish twice", "already finished");
    csod_scanner_free(s);
    expect_null(csod_scanner_finish(NULL), "finish(NULL)", "scanner is NULL");
}

static void test_csod_scanner_finish_w(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    CHECK(csod_scanner_feed(s, (const uint8_t *)TRANSCRIPT, strlen(TRANSCRIPT)) == 0, "feed");
    const char *hit[] = {"\"id\":\"shells_per_user\"", NULL};
    expect_wjson(csod_scanner_finish_w(s), "finish_w", hit);
    expect_null(csod_scanner_finish_w(s), "finish_w twice", "already finished");
    csod_scanner_free(s);
}

static void test_csod_scanner_free(void)
{
    csod_scanner_free(NULL);
    CsodScanner *s = csod_scanner_new(NULL);
    CHECK(csod_scanner_feed(s, (const uint8_t *)TRANSCRIPT, 10) == 0, "feed part");
    csod_scanner_free(s); /* unfinished: still freed */
}

static void test_csod_last_error_code(void)
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

/* ---- the table of exports --------------------------------------------------
 * One row per function of include/csod.h. run.sh fails when the header
 * declares a function that has no row here. To add
 * csod_scan: write test_csod_scan above (good input, NULL, "", invalid
 * encodings, unknown language, malformed or deep JSON if it takes any) and
 * add its row. */
struct export_test {
    const char *name;
    void (*run)(void);
};
#define ROW(f) {#f, test_##f}
static const struct export_test EXPORTS[] = {
    ROW(csod_diagnose),
    ROW(csod_diagnose_w),
    ROW(csod_diagnose_cancellable),
    ROW(csod_diagnose_cancellable_w),
    ROW(csod_cancel_new),
    ROW(csod_cancel),
    ROW(csod_cancel_free),
    ROW(csod_file_kind),
    ROW(csod_file_kind_w),
    ROW(csod_abi_version),
    ROW(csod_version),
    ROW(csod_classify),
    ROW(csod_classify_n),
    ROW(csod_classify_record),
    ROW(csod_classify_w),
    ROW(csod_classify_record_w),
    ROW(csod_catalog),
    ROW(csod_catalog_w),
    ROW(csod_string_free),
    ROW(csod_wstring_free),
    ROW(csod_last_error),
    ROW(csod_last_error_w),
    ROW(csod_last_error_code),
    ROW(csod_scan),
    ROW(csod_scan_w),
    ROW(csod_scanner_new),
    ROW(csod_scanner_new_w),
    ROW(csod_scanner_feed),
    ROW(csod_scanner_finish),
    ROW(csod_scanner_finish_w),
    ROW(csod_scanner_free),
};
#define N_EXPORTS (sizeof EXPORTS / sizeof EXPORTS[0])

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < N_EXPORTS; i++)
            printf("%s\n", EXPORTS[i].name);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--leak-canary") == 0) {
        /* Drops a result on purpose: run.sh checks that valgrind and ASan see it. */
        char *leak = csod_catalog(NULL);
        printf("leaked %p\n", (void *)leak);
        leak = NULL;
        return 0;
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    if (rounds < 1)
        rounds = 1;
    /* Repeating the whole table shows growth (leaks) as a multiple in valgrind. */
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < N_EXPORTS; i++)
            EXPORTS[i].run();
    printf("test_csod: %zu exports, %d checks x %d round(s), %d failure(s)\n", N_EXPORTS,
           checks / rounds, rounds, failures);
    return failures ? 1 : 0;
}
