/*
 * Sets and checks access control on a registry key and a service, for the
 * wine stress states of tests/windows/stress.sh. It changes security only on
 * the objects it is told to, in the suite's own prefix.
 *
 *   stress_acl deny-key   SUBKEY    HKLM\SUBKEY: deny Everyone KEY_READ (allow the rest)
 *   stress_acl allow-key  SUBKEY    HKLM\SUBKEY: allow Everyone everything again
 *   stress_acl open-key   SUBKEY    prints the Windows error of RegOpenKeyExW(KEY_READ)
 *   stress_acl deny-svc   NAME      service NAME: deny Everyone query config/status
 *   stress_acl open-svc   NAME      prints the Windows error of OpenServiceW(query)
 *   stress_acl set-sz     SUBKEY VALUE TEXT
 *                                   HKLM\SUBKEY (64-bit view) VALUE = REG_SZ of exactly the
 *                                   characters of TEXT, each '|' a NUL (no terminator added):
 *                                   `wine reg add` cannot store an embedded NUL
 *
 * Prints "rc=<Windows error>" for the open-* commands; exits 1 when a call
 * that sets security fails (with the error), 0 otherwise.
 */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wchar_t *wide(const char *s) {
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w = malloc(sizeof(wchar_t) * (n > 0 ? n : 1));
    MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

static PSECURITY_DESCRIPTOR sd_of(const wchar_t *sddl) {
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) {
        fprintf(stderr, "stress_acl: SDDL %ls: error %lu\n", sddl, GetLastError());
        exit(1);
    }
    return sd;
}

static int set_key(const char *sub, const wchar_t *sddl) {
    HKEY k;
    LONG rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wide(sub), 0, NULL, 0,
                              WRITE_DAC | KEY_WOW64_64KEY, NULL, &k, NULL);
    if (rc != ERROR_SUCCESS) {
        fprintf(stderr, "stress_acl: RegCreateKeyExW %s: error %ld\n", sub, rc);
        return 1;
    }
    rc = RegSetKeySecurity(k, DACL_SECURITY_INFORMATION, sd_of(sddl));
    RegCloseKey(k);
    if (rc != ERROR_SUCCESS) {
        fprintf(stderr, "stress_acl: RegSetKeySecurity %s: error %ld\n", sub, rc);
        return 1;
    }
    return 0;
}

static int open_key(const char *sub) {
    HKEY k;
    LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wide(sub), 0, KEY_READ | KEY_WOW64_64KEY, &k);
    if (rc == ERROR_SUCCESS) RegCloseKey(k);
    printf("rc=%ld\n", rc);
    return 0;
}

static int deny_svc(const char *name) {
    SC_HANDLE m = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!m) {
        fprintf(stderr, "stress_acl: OpenSCManagerW: error %lu\n", GetLastError());
        return 1;
    }
    SC_HANDLE s = OpenServiceW(m, wide(name), WRITE_DAC | READ_CONTROL);
    if (!s) {
        fprintf(stderr, "stress_acl: OpenServiceW %s: error %lu\n", name, GetLastError());
        return 1;
    }
    /* CC = SERVICE_QUERY_CONFIG, LC = SERVICE_QUERY_STATUS. */
    BOOL ok = SetServiceObjectSecurity(s, DACL_SECURITY_INFORMATION,
                                       sd_of(L"D:(D;;CCLC;;;WD)(A;;0xf01ff;;;WD)"));
    DWORD err = GetLastError();
    CloseServiceHandle(s);
    CloseServiceHandle(m);
    if (!ok) {
        fprintf(stderr, "stress_acl: SetServiceObjectSecurity %s: error %lu\n", name, err);
        return 1;
    }
    return 0;
}

static int open_svc(const char *name) {
    SC_HANDLE m = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!m) {
        printf("rc=%lu\n", GetLastError());
        return 0;
    }
    SC_HANDLE s = OpenServiceW(m, wide(name), SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
    DWORD rc = s ? 0 : GetLastError();
    if (s) CloseServiceHandle(s);
    CloseServiceHandle(m);
    printf("rc=%lu\n", rc);
    return 0;
}

static int set_sz(const char *sub, const char *value, const char *text) {
    HKEY k;
    LONG rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wide(sub), 0, NULL, 0,
                              KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &k, NULL);
    if (rc != ERROR_SUCCESS) {
        fprintf(stderr, "stress_acl: RegCreateKeyExW %s: error %ld\n", sub, rc);
        return 1;
    }
    wchar_t *data = wide(text);
    size_t n = wcslen(data);
    for (size_t i = 0; i < n; i++)
        if (data[i] == L'|')
            data[i] = 0;
    rc = RegSetValueExW(k, wide(value), 0, REG_SZ, (const BYTE *)data, (DWORD)(n * sizeof(wchar_t)));
    RegCloseKey(k);
    if (rc != ERROR_SUCCESS) {
        fprintf(stderr, "stress_acl: RegSetValueExW %s %s: error %ld\n", sub, value, rc);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && !strcmp(argv[1], "set-sz")) return set_sz(argv[2], argv[3], argv[4]);
    if (argc != 3) {
        fprintf(stderr, "usage: stress_acl deny-key|allow-key|open-key|deny-svc|open-svc ARG\n"
                        "       stress_acl set-sz SUBKEY VALUE TEXT\n");
        return 2;
    }
    const char *cmd = argv[1], *arg = argv[2];
    if (!strcmp(cmd, "deny-key")) return set_key(arg, L"D:(D;;KR;;;WD)(A;;KA;;;WD)");
    if (!strcmp(cmd, "allow-key")) return set_key(arg, L"D:(A;;KA;;;WD)");
    if (!strcmp(cmd, "open-key")) return open_key(arg);
    if (!strcmp(cmd, "deny-svc")) return deny_svc(arg);
    if (!strcmp(cmd, "open-svc")) return open_svc(arg);
    fprintf(stderr, "stress_acl: unknown command %s\n", cmd);
    return 2;
}
