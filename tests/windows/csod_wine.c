/*
 * A Windows C program against include/csod.h, linked to csod.dll and run
 * under wine by tests/windows/run.sh.
 *
 *   csod_wine classify        classify basics, UTF-8 and UTF-16 (French); asserts itself
 *   csod_wine bad             bad input gives NULL and a last error; asserts itself
 *   csod_wine diagnose        reads a request (UTF-8 JSON) on stdin, prints the result
 *   csod_wine diagnose_w_fr   csod_diagnose_w with a French request and a French
 *                             error record; prints the result converted to UTF-8
 *   csod_wine net             starts a loopback listener and finds a closed port,
 *                             diagnoses both, prints the result
 *   csod_wine cancel          a black-holed loopback listener (backlog 0, queue
 *                             filled), a 20 s csod_diagnose_cancellable on another
 *                             thread, csod_cancel after 300 ms: NULL, "cancelled",
 *                             well before the timeout (the winsock connect path of
 *                             src/probe/cancel.rs); asserts itself
 *
 * Exit status 0 on success; assertion failures print "FAIL: ..." and exit 1.
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csod.h"

static int failures = 0;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "FAIL (%s:%d): ", __FILE__, __LINE__);        \
            fprintf(stderr, __VA_ARGS__);                                 \
            fprintf(stderr, "\n");                                        \
            failures++;                                                   \
        }                                                                 \
    } while (0)

/* UTF-16 (library-owned) to a malloc'ed UTF-8 string. */
static char *utf8_of(const uint16_t *w) {
    int n = WideCharToMultiByte(CP_UTF8, 0, (const wchar_t *)w, -1, NULL, 0, NULL, NULL);
    char *s = malloc(n > 0 ? n : 1);
    if (n <= 0) {
        s[0] = 0;
        return s;
    }
    WideCharToMultiByte(CP_UTF8, 0, (const wchar_t *)w, -1, s, n, NULL, NULL);
    return s;
}

static void print_utf8(const char *s) {
    fwrite(s, 1, strlen(s), stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static int classify_basics(void) {
    CHECK(csod_abi_version() == 1, "abi version %u", csod_abi_version());
    char *r = csod_classify(
        "Get-CsWebTicket : Failed to connect live id servers. Make sure proxy is enabled or "
        "machine has network connection to live id servers.",
        NULL);
    CHECK(r != NULL, "csod_classify returned NULL: %s", csod_last_error());
    if (r) {
        CHECK(strstr(r, "\"matches\":[{\"id\":\"liveid_connect_failed\"") != NULL, "en: %s", r);
        csod_string_free(r);
    }
    /* The seed's French message, typographic apostrophes included. */
    const wchar_t *fr =
        L"Get-CsWebTicket : échec de connexion aux serveurs d\u2019ID Live. Assurez-vous que "
        L"l\u2019option proxy est activée ou que l\u2019ordinateur dispose d\u2019une connexion "
        L"réseau à des serveurs d\u2019ID Live.";
    uint16_t *w = csod_classify_w((const uint16_t *)fr, (const uint16_t *)L"fr-FR");
    CHECK(w != NULL, "csod_classify_w returned NULL");
    if (w) {
        char *s = utf8_of(w);
        CHECK(strstr(s, "\"id\":\"liveid_connect_failed\"") != NULL, "fr: %s", s);
        CHECK(strstr(s, "\"language\":\"fr\"") != NULL, "fr language: %s", s);
        /* A French title, so non-ASCII text survived both ways. */
        CHECK(strstr(s, "\xc3\xa9") != NULL, "no é in the French result: %s", s);
        free(s);
        csod_wstring_free(w);
    }
    r = csod_classify("nothing to see here at all", "en");
    CHECK(r != NULL && strstr(r, "\"matches\":[]") != NULL, "unknown text: %s", r ? r : "NULL");
    csod_string_free(r);
    char *cat = csod_catalog("fr");
    CHECK(cat != NULL && strstr(cat, "\"id\":\"winrm_basic_auth\"") != NULL, "catalog");
    csod_string_free(cat);
    if (!failures)
        printf("ok classify\n");
    return failures ? 1 : 0;
}

static int bad_input(void) {
    CHECK(csod_diagnose(NULL) == NULL, "csod_diagnose(NULL) is not NULL");
    CHECK(strstr(csod_last_error(), "NULL") != NULL, "last error: %s", csod_last_error());
    CHECK(csod_diagnose("{\"timeout_ms\":-5}") == NULL, "negative timeout accepted");
    CHECK(strstr(csod_last_error(), "timeout_ms") != NULL, "last error: %s", csod_last_error());
    CHECK(csod_diagnose_w(NULL) == NULL, "csod_diagnose_w(NULL) is not NULL");
    uint16_t *e = csod_last_error_w();
    CHECK(e != NULL, "csod_last_error_w");
    if (e) {
        char *s = utf8_of(e);
        CHECK(strstr(s, "NULL") != NULL, "last error w: %s", s);
        free(s);
        csod_wstring_free(e);
    }
    CHECK(csod_classify(NULL, NULL) == NULL, "csod_classify(NULL)");
    if (!failures)
        printf("ok bad input\n");
    return failures ? 1 : 0;
}

static int diagnose_stdin(void) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = 0;
    char *r = csod_diagnose(buf);
    free(buf);
    if (!r) {
        fprintf(stderr, "FAIL: csod_diagnose returned NULL: %s\n", csod_last_error());
        return 1;
    }
    print_utf8(r);
    csod_string_free(r);
    return 0;
}

static int diagnose_w_french(void) {
    const wchar_t *req =
        L"{\"language\":\"fr\",\"timeout_ms\":500,\"endpoints\":[],"
        L"\"error\":{\"message\":\"Get-CsWebTicket : échec de connexion aux serveurs d\u2019ID "
        L"Live. Assurez-vous que l\u2019option proxy est activée ou que l\u2019ordinateur "
        L"dispose d\u2019une connexion réseau à des serveurs d\u2019ID Live.\"}}";
    uint16_t *w = csod_diagnose_w((const uint16_t *)req);
    if (!w) {
        uint16_t *e = csod_last_error_w();
        char *s = e ? utf8_of(e) : NULL;
        fprintf(stderr, "FAIL: csod_diagnose_w returned NULL: %s\n", s ? s : "?");
        return 1;
    }
    char *s = utf8_of(w);
    csod_wstring_free(w);
    print_utf8(s);
    free(s);
    return 0;
}

static int winsock_up(void) {
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        fprintf(stderr, "FAIL: WSAStartup\n");
        return 0;
    }
    return 1;
}

/* A TCP socket bound to a free loopback port (*port), listening with
 * `backlog` when backlog >= 0; INVALID_SOCKET (reported as `what`) on error. */
static SOCKET loopback_socket(int backlog, int *port, const char *what) {
    struct sockaddr_in a;
    int alen = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        (backlog >= 0 && listen(s, backlog) != 0) ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
        fprintf(stderr, "FAIL: %s: %d\n", what, WSAGetLastError());
        if (s != INVALID_SOCKET)
            closesocket(s);
        return INVALID_SOCKET;
    }
    *port = ntohs(a.sin_port);
    return s;
}

static int net(void) {
    if (!winsock_up())
        return 1;
    int open_port, closed_port;
    SOCKET open_s = loopback_socket(16, &open_port, "loopback listener");
    if (open_s == INVALID_SOCKET)
        return 1;
    /* A closed port: bind, note the port, close without listening. */
    SOCKET closed_s = loopback_socket(-1, &closed_port, "closed port");
    if (closed_s == INVALID_SOCKET)
        return 1;
    closesocket(closed_s);
    char req[512];
    snprintf(req, sizeof req,
             "{\"timeout_ms\":2000,\"endpoints\":["
             "{\"name\":\"open\",\"host\":\"127.0.0.1\",\"port\":%d},"
             "{\"name\":\"closed\",\"host\":\"127.0.0.1\",\"port\":%d}]}",
             open_port, closed_port);
    char *r = csod_diagnose(req);
    closesocket(open_s);
    WSACleanup();
    if (!r) {
        fprintf(stderr, "FAIL: csod_diagnose returned NULL: %s\n", csod_last_error());
        return 1;
    }
    print_utf8(r);
    csod_string_free(r);
    return 0;
}

struct cancel_call {
    const char *request;
    const CsodCancel *token;
    char *result;
    char error[256];
    ULONGLONG returned;
};

static DWORD WINAPI cancel_thread(LPVOID arg) {
    struct cancel_call *c = arg;
    c->result = csod_diagnose_cancellable(c->request, c->token);
    const char *e = csod_last_error();
    snprintf(c->error, sizeof c->error, "%s", e ? e : "");
    c->returned = GetTickCount64();
    return 0;
}

static int cancel(void) {
    if (!winsock_up())
        return 1;
    int port;
    SOCKET l = loopback_socket(0, &port, "black-holed listener");
    if (l == INVALID_SOCKET)
        return 1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((u_short)port);
    /* Fill the accept queue: connects until one does not complete in 300 ms. */
    SOCKET fill[16];
    int n = 0;
    for (; n < 16; n++) {
        SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        u_long nb = 1;
        ioctlsocket(c, FIONBIO, &nb);
        connect(c, (struct sockaddr *)&a, sizeof a);
        fd_set w;
        FD_ZERO(&w);
        FD_SET(c, &w);
        struct timeval tv = {0, 300000};
        if (select(0, NULL, &w, NULL, &tv) != 1) {
            closesocket(c);
            break;
        }
        fill[n] = c;
    }
    char req[256];
    snprintf(req, sizeof req,
             "{\"timeout_ms\":20000,\"endpoints\":[{\"name\":\"hole\",\"host\":\"127.0.0.1\",\"port\":%d}]}",
             ntohs(a.sin_port));
    CsodCancel *token = csod_cancel_new();
    struct cancel_call call;
    memset(&call, 0, sizeof call);
    call.request = req;
    call.token = token;
    HANDLE t = CreateThread(NULL, 0, cancel_thread, &call, 0, NULL);
    Sleep(300);
    ULONGLONG cancelled = GetTickCount64();
    csod_cancel(token);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    csod_cancel_free(token);
    long long latency = (long long)(call.returned - cancelled);
    printf("csod_diagnose_cancellable under wine: NULL %lld ms after csod_cancel (timeout 20 s, %d queued)\n",
           latency, n);
    CHECK(call.result == NULL, "a cancelled diagnose returned a result");
    csod_string_free(call.result);
    CHECK(strncmp(call.error, "cancelled", 9) == 0, "last error \"%s\"", call.error);
    CHECK(latency < 5000, "returned %lld ms after csod_cancel", latency);
    for (int i = 0; i < n; i++)
        closesocket(fill[i]);
    closesocket(l);
    WSACleanup();
    return failures ? 1 : 0;
}

static int run(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: csod_wine classify|bad|diagnose|diagnose_w_fr|net|cancel\n");
        return 2;
    }
    const char *m = argv[1];
    if (!strcmp(m, "classify"))
        return classify_basics();
    if (!strcmp(m, "bad"))
        return bad_input();
    if (!strcmp(m, "diagnose"))
        return diagnose_stdin();
    if (!strcmp(m, "diagnose_w_fr"))
        return diagnose_w_french();
    if (!strcmp(m, "net"))
        return net();
    if (!strcmp(m, "cancel"))
        return cancel();
    fprintf(stderr, "unknown mode %s\n", m);
    return 2;
}

int main(int argc, char **argv) {
    int rc = run(argc, argv);
    fflush(stdout);
    fflush(stderr);
    /* A probe the library abandoned at its bound (the slow-folder state of
     * stress.sh) may still be running. Returning from main runs the CRT's
     * exit and DLL detach under the loader lock while that thread is inside
     * kernel32; under load wine 8.0 then deadlocked for 30 minutes once.
     * TerminateProcess ends every thread at once, as the OS does for a host
     * that is killed; the output is already flushed. */
    TerminateProcess(GetCurrentProcess(), (UINT)rc);
    return rc;
}
