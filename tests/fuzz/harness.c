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
 * To add a target: write a function
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

/* csod_scan against the streaming scanner. Input layout:
 *   byte 0   length L of the options document (0: NULL options)
 *   byte 1   seed for the chunk sizes and the form (bit 7: UTF-16 forms)
 *   L bytes  options JSON (cut at an embedded NUL, as a C string is)
 *   rest     the transcript bytes
 * The same bytes go through csod_scan on the whole input and through
 * csod_scanner_new/feed/finish in chunks of 1 byte to 64 KiB chosen by the
 * seed (cutting lines, characters and UTF-16 units anywhere): both must give
 * the same document (same hits, counts, lines), or both NULL with the same
 * last error. Bad options are then replaced by NULL so the body is always
 * scanned, and then by options generated from bytes 0 and 1 (every key, good
 * and bad values, nesting at the depth limit's edge), since the fuzzer
 * rarely writes valid options itself. After finish, feed and finish are
 * refused with a last error. */
static const size_t CHUNKS[] = {1, 2, 3, 5, 7, 16, 61, 255, 4096, 65536};

static uint16_t *widen(const char *s)
{
    size_t n = strlen(s);
    uint16_t *w = malloc((n + 1) * sizeof *w);
    for (size_t i = 0; i <= n; i++)
        w[i] = (unsigned char)s[i];
    return w;
}

static int same16(const uint16_t *a, const uint16_t *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    return a[i] == b[i];
}

static void scan_pair(const char *opts, const uint8_t *body, size_t n, unsigned seed)
{
    int wide = seed & 0x80;
    uint32_t rng = seed * 2654435761u + 1;
    uint16_t *wopts = opts ? widen(opts) : NULL;
    char *whole8 = NULL, *err_whole = NULL;
    uint16_t *whole16 = NULL;
    if (wide)
        whole16 = csod_scan_w(body, n, wopts);
    else
        whole8 = csod_scan(body, n, opts);
    int whole_ok = wide ? whole16 != NULL : whole8 != NULL;
    if (!whole_ok) {
        err_whole = strdup(csod_last_error());
        if (!opts)
            fail("csod_scan", "NULL with default options");
    }

    CsodScanner *sc = wide ? csod_scanner_new_w(wopts) : csod_scanner_new(opts);
    if (!sc) {
        const char *err = csod_last_error();
        if (err[0] == 0 || is_internal(err))
            fail("csod_scanner_new", err);
        if (whole_ok || strcmp(err, err_whole) != 0)
            fail("csod_scanner_new", "refused options that csod_scan took, or another error");
        free(err_whole);
        free(wopts);
        return;
    }
    if (!whole_ok)
        fail("csod_scan", err_whole);
    size_t at = 0;
    while (at < n) {
        rng = rng * 1103515245u + 12345u;
        size_t k = CHUNKS[(rng >> 16) % (sizeof CHUNKS / sizeof CHUNKS[0])];
        if (k > n - at)
            k = n - at;
        if (csod_scanner_feed(sc, body + at, k) != 0)
            fail("csod_scanner_feed", csod_last_error());
        at += k;
    }
    if (csod_scanner_feed(sc, NULL, 0) != 0)
        fail("csod_scanner_feed", "empty chunk refused");
    if (wide) {
        uint16_t *streamed = csod_scanner_finish_w(sc);
        if (!streamed)
            fail("csod_scanner_finish_w", csod_last_error());
        if (!same16(streamed, whole16))
            fail("csod_scanner_finish_w", "streamed result differs from csod_scan_w");
        check16(streamed, "csod_scanner_finish_w");
        check16(whole16, "csod_scan_w");
    } else {
        char *streamed = csod_scanner_finish(sc);
        if (!streamed)
            fail("csod_scanner_finish", csod_last_error());
        if (strcmp(streamed, whole8) != 0) {
            fprintf(stderr, "whole:    %.2000s\nstreamed: %.2000s\n", whole8, streamed);
            fail("csod_scanner_finish", "streamed result differs from csod_scan");
        }
        check8(streamed, "csod_scanner_finish");
        check8(whole8, "csod_scan");
    }
    /* Finished: more input and a second finish are refused. */
    static const uint8_t more[] = "x\n";
    if (csod_scanner_feed(sc, more, 2) != -1 || csod_last_error()[0] == 0)
        fail("csod_scanner_feed", "accepted input after finish");
    if (csod_scanner_finish(sc) != NULL || csod_last_error()[0] == 0)
        fail("csod_scanner_finish", "a second finish gave a result");
    csod_scanner_free(sc);
    free(wopts);
}

/* Options generated from two bytes: byte 0 bits 0-2 the language, bits 3-5
 * max_hits, bits 6-7 fields; byte 1 bits 0-2 the encoding, bits 3-4 the
 * depth of an unknown key's nested arrays (the document is one level more:
 * 32 levels pass, 33 are refused). tests/hostile_replay.rs builds the same. */
static const char *OPT_LANGS[] = {NULL, "\"en\"", "\"fr\"", "\"fr-FR\"", "\"EN_gb\"", "\"\"", "\"ko\"", "\"xx\""};
static const char *OPT_HITS[] = {NULL, "0", "1", "2", "1000", "1000000", "-1", "1.5"};
static const char *OPT_FIELDS[] = {NULL, "true", "false", "1"};
static const char *OPT_ENCODINGS[] = {NULL,          "\"auto\"",   "\"utf-8\"", "\"utf-16le\"",
                                      "\"utf-16be\"", "\"UTF_8\"", "\"latin1\"", "5"};
static const int OPT_DEPTHS[] = {0, 31, 32, 200};

static char *generated_options(unsigned a, unsigned b)
{
    const char *keys[] = {"language", "max_hits", "fields", "encoding"};
    const char *vals[] = {OPT_LANGS[a & 7], OPT_HITS[(a >> 3) & 7], OPT_FIELDS[(a >> 6) & 3],
                          OPT_ENCODINGS[b & 7]};
    int depth = OPT_DEPTHS[(b >> 3) & 3];
    char *s = malloc(256 + 2 * (size_t)depth);
    size_t n = 0;
    s[n++] = '{';
    for (size_t k = 0; k < 4; k++) {
        if (!vals[k])
            continue;
        n += (size_t)sprintf(s + n, "%s\"%s\":%s", n > 1 ? "," : "", keys[k], vals[k]);
    }
    if (depth) {
        n += (size_t)sprintf(s + n, "%s\"x\":", n > 1 ? "," : "");
        for (int i = 0; i < depth; i++)
            s[n++] = '[';
        for (int i = 0; i < depth; i++)
            s[n++] = ']';
    }
    s[n++] = '}';
    s[n] = 0;
    return s;
}

static void fuzz_scan(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    char *generated = generated_options(data[0], data[1]);
    size_t l = data[0];
    unsigned seed = data[1];
    data += 2, size -= 2;
    if (l > size)
        l = size;
    char *opts = l ? nul_terminated(data, l) : NULL;
    scan_pair(opts, data + l, size - l, seed);
    if (opts) {
        /* Whatever the options did, the body is scanned with the defaults too. */
        scan_pair(NULL, data + l, size - l, seed);
        free(opts);
    }
    scan_pair(generated, data + l, size - l, seed);
    free(generated);
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
    {"scan", fuzz_scan},
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
