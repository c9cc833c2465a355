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
 *
 * The tests are split by theme: test_classify.c (classify, records,
 * catalog, strings, the last error), test_diagnose.c (diagnose and
 * cancelling it), test_scan.c (file kinds and the bulk scan); test_csod.h
 * declares what they share, defined here with the table and main().
 */
#include "test_csod.h"

int failures = 0;
int checks = 0;

/* ---- helpers ------------------------------------------------------------ */

const char *last_error(void)
{
    const char *e = csod_last_error();
    return e ? e : "(NULL last error)";
}

/* Checks a UTF-8 JSON result: not NULL, schema 1, each needle present; frees it. */
void expect_json(char *out, const char *what, const char *const *needles)
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
void expect_null(void *out, const char *what, const char *why)
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
uint16_t *u16(const char *s)
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
char *from_u16(uint16_t *w)
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
void expect_wjson(uint16_t *out, const char *what, const char *const *needles)
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

void expect_no_match(char *out, const char *what)
{
    const char *needles[] = {"\"matches\":[]", NULL};
    expect_json(out, what, needles);
}

/* Invalid UTF-8: a lone continuation byte, an overlong form, a surrogate. */
const char *BAD_UTF8[] = {"abc\x80xyz", "\xc0\xaf", "\xed\xa0\x80", "New-PSSession \xff", NULL};
/* UTF-16 with unpaired surrogates. */
const uint16_t LONE_HIGH[] = {'a', 0xD800, 'b', 0};
const uint16_t LONE_LOW[] = {0xDC00, 0};
const uint16_t HIGH_AT_END[] = {'x', 0xDBFF, 0};

/* ---- the table of exports --------------------------------------------------
 * One row per function of include/csod.h. run.sh fails when the header
 * declares a function that has no row here. To add
 * csod_scan: write test_csod_scan in the file of its theme (good input, NULL,
 * "", invalid encodings, unknown language, malformed or deep JSON if it
 * takes any), declare it in test_csod.h and add its row. */
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
