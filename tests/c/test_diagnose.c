/*
 * test_diagnose.c: csod_diagnose and its UTF-16 form, and cancelling a
 * diagnose from another thread, from C (see test_csod.c).
 */
#include "test_csod.h"

/* Requests that probe nothing beyond this process: no endpoints. */
static const char *REQUEST_OK = "{\"endpoints\":[],\"timeout_ms\":100}";
static const char *REQUEST_ERROR =
    "{\"endpoints\":[],\"timeout_ms\":100,\"language\":\"fr\",\"unknown\":[1,{}],"
    "\"error\":{\"message\":\"The maximum number of concurrent shells for this user has been exceeded.\","
    "\"fully_qualified_error_id\":\"-2144108123,PSSessionOpenFailed\"}}";

void test_csod_diagnose(void)
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

void test_csod_diagnose_w(void)
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

void test_csod_diagnose_cancellable(void)
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

void test_csod_diagnose_cancellable_w(void)
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

void test_csod_cancel_new(void)
{
    CsodCancel *a = csod_cancel_new(), *b = csod_cancel_new();
    CHECK(a != NULL && b != NULL && a != b, "two tokens");
    csod_cancel_free(a);
    csod_cancel_free(b);
}

void test_csod_cancel(void)
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

void test_csod_cancel_free(void)
{
    csod_cancel_free(NULL);
    CsodCancel *t = csod_cancel_new();
    csod_cancel(t);
    csod_cancel_free(t); /* cancelled or not: freed */
}
