/*
 * test_csod.h: what the files of the C test (tests/c/test_*.c, compiled
 * together by tests/c/run.sh) share: the check counters and CHECK, the
 * result checkers, UTF-16 conversions, bad inputs, and one test function
 * per export (the EXPORTS table of test_csod.c lists them).
 */
#ifndef CSOD_TEST_CSOD_H
#define CSOD_TEST_CSOD_H

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

/* Counted by CHECK (test_csod.c defines them). */
extern int failures;
extern int checks;

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

/* Bad inputs (test_csod.c). */
/* Invalid UTF-8: a lone continuation byte, an overlong form, a surrogate. */
extern const char *BAD_UTF8[];
/* UTF-16 with unpaired surrogates. */
extern const uint16_t LONE_HIGH[];
extern const uint16_t LONE_LOW[];
extern const uint16_t HIGH_AT_END[];

/* Result checkers and conversions (test_csod.c). */
const char *last_error(void);
void expect_json(char *out, const char *what, const char *const *needles);
void expect_null(void *out, const char *what, const char *why);
uint16_t *u16(const char *s);
char *from_u16(uint16_t *w);
void expect_wjson(uint16_t *out, const char *what, const char *const *needles);
void expect_no_match(char *out, const char *what);

/* One test per export: test_classify.c, test_diagnose.c, test_scan.c. */
void test_csod_abi_version(void);
void test_csod_version(void);
void test_csod_classify(void);
void test_csod_classify_n(void);
void test_csod_classify_record(void);
void test_csod_classify_w(void);
void test_csod_classify_record_w(void);
void test_csod_catalog(void);
void test_csod_catalog_w(void);
void test_csod_string_free(void);
void test_csod_wstring_free(void);
void test_csod_last_error(void);
void test_csod_last_error_w(void);
void test_csod_diagnose(void);
void test_csod_diagnose_w(void);
void test_csod_diagnose_cancellable(void);
void test_csod_diagnose_cancellable_w(void);
void test_csod_cancel_new(void);
void test_csod_cancel(void);
void test_csod_cancel_free(void);
void test_csod_file_kind(void);
void test_csod_file_kind_w(void);
void test_csod_scan(void);
void test_csod_scan_w(void);
void test_csod_scanner_new(void);
void test_csod_scanner_new_w(void);
void test_csod_scanner_feed(void);
void test_csod_scanner_finish(void);
void test_csod_scanner_finish_w(void);
void test_csod_scanner_free(void);
void test_csod_last_error_code(void);

#endif
