/* SPDX-License-Identifier: MIT */
/* The public key-pair API (mailseal/dkimkey.h) over lib/crypto's private keys: generate or read,
 * then the PKCS#8 PEM to keep (RFC 5958) and the p= value to publish (RFC 6376 §3.6.1, RFC 8463
 * §4). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/limits.h"
#include "base/str.h"
#include "crypto/key.h"
#include "mailseal/dkimkey.h"

struct ms_dkim_keypair {
    ms__privkey *key;
    char *pem; /* secret: wiped before it is freed */
    size_t pem_len;
    char pub[MS_LIMIT_DKIM_KEY_B64 + 1];
    size_t pub_len;
};

const char *ms_dkim_key_type_name(ms_dkim_key_type type)
{
    return type == MS_DKIM_KEY_ED25519 ? "ed25519" : "rsa";
}

ms_status ms_dkim_key_type_parse(const char *name, ms_dkim_key_type *out)
{
    size_t len = strlen(name);
    if (ms__str_ieq(name, len, "rsa", 3)) {
        *out = MS_DKIM_KEY_RSA;
    } else if (ms__str_ieq(name, len, "ed25519", 7)) {
        *out = MS_DKIM_KEY_ED25519;
    } else {
        return MS_EINVAL;
    }
    return MS_OK;
}

/* Fill the PEM and p= of a keypair whose key is set. */
static ms_status fill(ms_dkim_keypair *kp)
{
    size_t size = 4096, need = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        kp->pem = malloc(size);
        if (kp->pem == NULL) {
            return MS_ENOMEM;
        }
        ms_status st = ms__crypto_privkey_pem(kp->key, kp->pem, size, &need);
        if (st == MS_OK) {
            kp->pem_len = need;
            break;
        }
        sodium_memzero(kp->pem, size);
        free(kp->pem);
        kp->pem = NULL;
        if (st != MS_ELIMIT) {
            return st;
        }
        size = need;
    }
    if (kp->pem == NULL) {
        return MS_ENOMEM;
    }
    return ms__crypto_privkey_public_b64(kp->key, kp->pub, sizeof(kp->pub), &kp->pub_len);
}

static ms_status finish(ms__privkey *key, ms_dkim_keypair **out)
{
    ms_dkim_keypair *kp = calloc(1, sizeof(*kp));
    if (kp == NULL) {
        ms__crypto_privkey_free(key);
        return MS_ENOMEM;
    }
    kp->key = key;
    ms_status st = fill(kp);
    if (st != MS_OK) {
        ms_dkim_keypair_free(kp);
        return st;
    }
    *out = kp;
    return MS_OK;
}

ms_status ms_dkim_keypair_generate(ms_dkim_key_type type, unsigned bits, ms_dkim_keypair **out)
{
    *out = NULL;
    if (type != MS_DKIM_KEY_RSA && type != MS_DKIM_KEY_ED25519) {
        return MS_EINVAL;
    }
    ms__privkey *key = NULL;
    ms_status st = ms__crypto_privkey_generate(
        type == MS_DKIM_KEY_RSA ? MS__KEY_RSA : MS__KEY_ED25519, bits, &key);
    if (st != MS_OK) {
        return st;
    }
    return finish(key, out);
}

ms_status ms_dkim_keypair_from_pem(const char *pem, size_t len, ms_dkim_keypair **out,
                                   const char **reason)
{
    *out = NULL;
    ms__key_error err = {NULL, 0, false};
    ms__privkey *key = NULL;
    ms_status st = ms__crypto_privkey_load_pem(pem, len, &key, &err);
    if (reason != NULL) {
        *reason = err.reason;
    }
    if (st != MS_OK) {
        return st;
    }
    return finish(key, out);
}

void ms_dkim_keypair_free(ms_dkim_keypair *kp)
{
    if (kp == NULL) {
        return;
    }
    if (kp->pem != NULL) {
        sodium_memzero(kp->pem, kp->pem_len);
        free(kp->pem);
    }
    ms__crypto_privkey_free(kp->key);
    free(kp);
}

ms_dkim_key_type ms_dkim_keypair_type(const ms_dkim_keypair *kp)
{
    return ms__crypto_privkey_type(kp->key) == MS__KEY_ED25519 ? MS_DKIM_KEY_ED25519
                                                               : MS_DKIM_KEY_RSA;
}

unsigned ms_dkim_keypair_bits(const ms_dkim_keypair *kp)
{
    return ms__crypto_privkey_bits(kp->key);
}

const char *ms_dkim_keypair_private_pem(const ms_dkim_keypair *kp, size_t *len)
{
    if (len != NULL) {
        *len = kp->pem_len;
    }
    return kp->pem;
}

const char *ms_dkim_keypair_public_b64(const ms_dkim_keypair *kp, size_t *len)
{
    if (len != NULL) {
        *len = kp->pub_len;
    }
    return kp->pub;
}

ms_status ms_dkim_keypair_write_private(const ms_dkim_keypair *kp, const char *path)
{
    /* O_EXCL: a key is never overwritten; 0600: readable by the signer only. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return MS_EIO;
    }
    size_t done = 0;
    while (done < kp->pem_len) {
        ssize_t n = write(fd, kp->pem + done, kp->pem_len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    bool ok = done == kp->pem_len && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(path);
        errno = saved;
        return MS_EIO;
    }
    return MS_OK;
}
