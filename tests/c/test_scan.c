/*
 * test_scan.c: what a path names (csod_file_kind) and the bulk scan, whole
 * and streamed, from C (see test_csod.c).
 */
#include "test_csod.h"

/* ---- what a path names ------------------------------------------------------ */

void test_csod_file_kind(void)
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

void test_csod_file_kind_w(void)
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

void test_csod_scan(void)
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

void test_csod_scan_w(void)
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

void test_csod_scanner_new(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    CHECK(s != NULL, "scanner_new(NULL): %s", last_error());
    csod_scanner_free(s);
    expect_null(csod_scanner_new("{\"fields\":1}"), "scanner_new(fields 1)", "fields");
    expect_null(csod_scanner_new("{\"encoding\":\"ebcdic\"}"), "scanner_new(encoding)", "encoding");
}

void test_csod_scanner_new_w(void)
{
    uint16_t *o = u16("{\"encoding\":\"utf-8\"}");
    CsodScanner *s = csod_scanner_new_w(o);
    CHECK(s != NULL, "scanner_new_w: %s", last_error());
    csod_scanner_free(s);
    expect_null(csod_scanner_new_w(LONE_HIGH), "scanner_new_w(surrogate)", "unpaired surrogate");
    free(o);
}

void test_csod_scanner_feed(void)
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

void test_csod_scanner_finish(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    const char *empty[] = {"\"bytes\":0", NULL};
    expect_json(csod_scanner_finish(s), "finish(nothing fed)", empty);
    expect_null(csod_scanner_finish(s), "finish twice", "already finished");
    csod_scanner_free(s);
    expect_null(csod_scanner_finish(NULL), "finish(NULL)", "scanner is NULL");
}

void test_csod_scanner_finish_w(void)
{
    CsodScanner *s = csod_scanner_new(NULL);
    CHECK(csod_scanner_feed(s, (const uint8_t *)TRANSCRIPT, strlen(TRANSCRIPT)) == 0, "feed");
    const char *hit[] = {"\"id\":\"shells_per_user\"", NULL};
    expect_wjson(csod_scanner_finish_w(s), "finish_w", hit);
    expect_null(csod_scanner_finish_w(s), "finish_w twice", "already finished");
    csod_scanner_free(s);
}

void test_csod_scanner_free(void)
{
    csod_scanner_free(NULL);
    CsodScanner *s = csod_scanner_new(NULL);
    CHECK(csod_scanner_feed(s, (const uint8_t *)TRANSCRIPT, 10) == 0, "feed part");
    csod_scanner_free(s); /* unfinished: still freed */
}
