/* win_security.c -- who may open our pipes, and unguessable pipe names.
 * Every pipe we create (the control pipe and our ends of ConPTY's pipes,
 * rule 7) gets an explicit DACL granting only the current user's SID and
 * SYSTEM: the default DACL would let Everyone read. */
#include "win_backend.h"

#include <ntsecapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The current user's SID, copied out of the process token. */
static PSID current_user_sid(void)
{
    HANDLE token = NULL;
    DWORD len = 0;
    TOKEN_USER *tu = NULL;
    PSID sid = NULL;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        win_fail("OpenProcessToken");
        return NULL;
    }
    if (!GetTokenInformation(token, TokenUser, NULL, 0, &len) &&
        GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
        win_fail("GetTokenInformation");
        goto out;
    }
    tu = malloc(len);
    if (tu == NULL) {
        win_fail_code("malloc", ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if (!GetTokenInformation(token, TokenUser, tu, len, &len)) {
        win_fail("GetTokenInformation");
        goto out;
    }
    len = GetLengthSid(tu->User.Sid);
    sid = malloc(len);
    if (sid == NULL) {
        win_fail_code("malloc", ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if (!CopySid(len, sid, tu->User.Sid)) {
        win_fail("CopySid");
        free(sid);
        sid = NULL;
    }
out:
    free(tu);
    CloseHandle(token);
    return sid;
}

bool win_security_init(struct win_security *sec)
{
    BYTE system_sid[SECURITY_MAX_SID_SIZE];
    DWORD system_len = sizeof system_sid;
    DWORD acl_len;

    memset(sec, 0, sizeof *sec);
    sec->user = current_user_sid();
    if (sec->user == NULL)
        return false;
    if (!CreateWellKnownSid(WinLocalSystemSid, NULL, system_sid, &system_len)) {
        win_fail("CreateWellKnownSid");
        goto fail;
    }
    acl_len = sizeof(ACL) + 2 * (sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD)) +
              GetLengthSid(sec->user) + GetLengthSid(system_sid);
    sec->acl = malloc(acl_len);
    if (sec->acl == NULL) {
        win_fail_code("malloc", ERROR_NOT_ENOUGH_MEMORY);
        goto fail;
    }
    if (!InitializeAcl(sec->acl, acl_len, ACL_REVISION)) {
        win_fail("InitializeAcl");
        goto fail;
    }
    if (!AddAccessAllowedAce(sec->acl, ACL_REVISION, GENERIC_ALL, sec->user) ||
        !AddAccessAllowedAce(sec->acl, ACL_REVISION, GENERIC_ALL, system_sid)) {
        win_fail("AddAccessAllowedAce");
        goto fail;
    }
    if (!InitializeSecurityDescriptor(&sec->sd, SECURITY_DESCRIPTOR_REVISION)) {
        win_fail("InitializeSecurityDescriptor");
        goto fail;
    }
    if (!SetSecurityDescriptorDacl(&sec->sd, TRUE, sec->acl, FALSE)) {
        win_fail("SetSecurityDescriptorDacl");
        goto fail;
    }
    sec->sa.nLength = sizeof sec->sa;
    sec->sa.lpSecurityDescriptor = &sec->sd;
    sec->sa.bInheritHandle = FALSE; /* nothing of ours reaches the child */
    return true;
fail:
    win_security_free(sec);
    return false;
}

void win_security_free(struct win_security *sec)
{
    free(sec->acl);
    free(sec->user);
    sec->acl = NULL;
    sec->user = NULL;
}

bool win_random_hex(char *buf, size_t nbytes)
{
    unsigned char raw[32];

    if (nbytes > sizeof raw) {
        win_fail_code("win_random_hex", ERROR_INVALID_PARAMETER);
        return false;
    }
    if (!RtlGenRandom(raw, (ULONG)nbytes)) {
        win_fail("RtlGenRandom");
        return false;
    }
    for (size_t i = 0; i < nbytes; i++)
        snprintf(buf + 2 * i, 3, "%02x", raw[i]);
    buf[2 * nbytes] = '\0';
    return true;
}
