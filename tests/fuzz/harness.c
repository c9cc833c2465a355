/*
 * libFuzzer harness over the C ABI (scripts/fuzz builds and runs it).
 *
 * One binary holds every target; CSOD_FUZZ_TARGET picks one. Each target feeds
 * the fuzzer's bytes to the exports through every form (UTF-8 with a length,
 * NUL-terminated UTF-8, UTF-16) and checks the ABI's promises: a result is a
 * JSON object with "schema":1 and an empty last error; NULL comes with a
 * non-empty last error; everything is freed. A broken promise aborts, which
 * libFuzzer reports as a crash and saves the input.
 *
 * To add a target (csod_scan): write a function
 * `static void fuzz_NAME(const uint8_t *data, size_t size)` below and add one
 * row to TARGETS; scripts/fuzz runs every row.
 */
#include "csod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "csod fuzz: broken promise in %s: %s\n", what, detail ? detail : "");
    abort();
}

/* A caught panic ("internal error (please report): ...") or another internal
 * failure is still a bug. Such errors start with these words; other errors
 * may quote the caller's input anywhere, so only the start is compared. */
static int is_internal(const char *err)
{
    return strncmp(err, "internal error", 14) == 0;
}

static void check8(char *out, const char *what)
{
    const char *err = csod_last_error();
    if (!err)
        fail(what, "csod_last_error returned NULL");
    if (out) {
        if (err[0] != 0)
            fail(what, "result with a last error");
        if (out[0] != '{' || strstr(out, "\"schema\":1") == NULL)
            fail(what, "result is not a schema 1 object");
        csod_string_free(out);
    } else if (err[0] == 0) {
        fail(what, "NULL without a last error");
    } else if (is_internal(err)) {
        fail(what, err);
    }
}

static void check16(uint16_t *out, const char *what)
{
    const char *err = csod_last_error();
    if (out) {
        if (err[0] != 0)
            fail(what, "result with a last error");
        static const char needle[] = "\"schema\":1";
        size_t n = 0, found = 0;
        while (out[n])
            n++;
        for (size_t i = 0; !found && i + sizeof needle - 1 <= n; i++) {
            size_t k = 0;
            while (k < sizeof needle - 1 && out[i + k] == (uint16_t)needle[k])
                k++;
            found = k == sizeof needle - 1;
        }
        if (out[0] != '{' || !found)
            fail(what, "UTF-16 result is not a schema 1 object");
        csod_wstring_free(out);
    } else {
        if (err[0] == 0)
            fail(what, "NULL without a last error");
        if (is_internal(err))
            fail(what, err);
        uint16_t *w = csod_last_error_w();
        if (!w || w[0] == 0)
            fail(what, "csod_last_error_w empty after a failure");
        csod_wstring_free(w);
    }
}

/* The first byte picks an output language; the rest is the input. */
static const char *LANGS[] = {NULL, "en", "fr", "fr-FR", "", "xx", "de"};
static const uint16_t *WLANGS[] = {NULL, (const uint16_t[]){'e', 'n', 0}, (const uint16_t[]){'f', 'r', 0},
                                   (const uint16_t[]){'x', 0}};

static char *nul_terminated(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

static uint16_t *units(const uint8_t *data, size_t size)
{
    size_t n = size / 2;
    uint16_t *w = malloc((n + 1) * sizeof *w);
    memcpy(w, data, n * 2);
    w[n] = 0;
    return w;
}

static void fuzz_classify(const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    const char *lang = LANGS[data[0] % (sizeof LANGS / sizeof LANGS[0])];
    const uint16_t *wlang = WLANGS[data[0] % (sizeof WLANGS / sizeof WLANGS[0])];
    data++, size--;
    check8(csod_classify_n(data, size, lang), "csod_classify_n");
    char *s = nul_terminated(data, size);
    check8(csod_classify(s, lang), "csod_classify");
    free(s);
    uint16_t *w = units(data, size);
    check16(csod_classify_w(w, wlang), "csod_classify_w");
    free(w);
}

static void fuzz_record(const uint8_t *data, size_t size)
{
    char *s = nul_terminated(data, size);
    check8(csod_classify_record(s, size % 2 ? "fr" : NULL), "csod_classify_record");
    free(s);
    uint16_t *w = units(data, size);
    check16(csod_classify_record_w(w, NULL), "csod_classify_record_w");
    free(w);
}

static void fuzz_catalog(const uint8_t *data, size_t size)
{
    char *s = nul_terminated(data, size);
    check8(csod_catalog(s), "csod_catalog");
    free(s);
    uint16_t *w = units(data, size);
    check16(csod_catalog_w(w), "csod_catalog_w");
    free(w);
}

/* csod_diagnose probes the endpoints a request names: the fuzzer's bytes go
 * in as the value of an unknown key, followed by fixed keys. serde_json
 * keeps the last of duplicate keys, so whatever the input injects, the
 * request names no endpoint and nothing leaves the process; everything else
 * (host facts, error record, language) is the fuzzer's. */
static const char DIAG_HEAD[] = "{\"x\":";
static const char DIAG_TAIL[] = ",\"endpoints\":[],\"timeout_ms\":100}";

static void fuzz_diagnose(const uint8_t *data, size_t size)
{
    size_t n = sizeof DIAG_HEAD - 1 + size + sizeof DIAG_TAIL;
    char *s = malloc(n);
    memcpy(s, DIAG_HEAD, sizeof DIAG_HEAD - 1);
    memcpy(s + sizeof DIAG_HEAD - 1, data, size);
    memcpy(s + sizeof DIAG_HEAD - 1 + size, DIAG_TAIL, sizeof DIAG_TAIL);
    /* An embedded NUL cuts the document: then it is just invalid JSON. */
    check8(csod_diagnose(s), "csod_diagnose");
    uint16_t *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[i] = (unsigned char)s[i];
    check16(csod_diagnose_w(w), "csod_diagnose_w");
    free(w);
    free(s);
}

struct target {
    const char *name;
    void (*run)(const uint8_t *, size_t);
};
static const struct target TARGETS[] = {
    {"classify", fuzz_classify},
    {"record", fuzz_record},
    {"catalog", fuzz_catalog},
    {"diagnose", fuzz_diagnose},
    /* {"scan", fuzz_scan},          text through csod_scan */
};

static void (*chosen)(const uint8_t *, size_t) = NULL;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *want = getenv("CSOD_FUZZ_TARGET");
    for (size_t i = 0; want && i < sizeof TARGETS / sizeof TARGETS[0]; i++)
        if (strcmp(TARGETS[i].name, want) == 0)
            chosen = TARGETS[i].run;
    if (!chosen) {
        fprintf(stderr, "set CSOD_FUZZ_TARGET to one of:");
        for (size_t i = 0; i < sizeof TARGETS / sizeof TARGETS[0]; i++)
            fprintf(stderr, " %s", TARGETS[i].name);
        fprintf(stderr, "\n");
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chosen(data, size);
    return 0;
}
