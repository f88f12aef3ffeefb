/* SPDX-License-Identifier: MIT */
/* Published keys the crypto tests share: RFC 8463 Appendix A (A.1 private keys, A.2 DNS p=
 * values, A.3 signatures) and a 512-bit key from the Mail::DKIM corpus. Test-only data. */
#ifndef MS_CRYPTO_TEST_KEYS_H
#define MS_CRYPTO_TEST_KEYS_H

/* RFC 8463 §A.2 brisbane._domainkey.football.example.com */
#define RFC8463_ED25519_P "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
/* RFC 8463 §A.1, the Ed25519 private key (the 32-byte seed) */
#define RFC8463_ED25519_SEED "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
/* RFC 8463 §A.2 test._domainkey.football.example.com: a 1024-bit RSA SubjectPublicKeyInfo */
#define RFC8463_RSA_P                                                                              \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J1" \
    "6JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2" \
    "EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
/* RFC 8463 §A.1, the RSA private key (traditional "RSA PRIVATE KEY" PEM) */
#define RFC8463_RSA_PEM                                                                            \
    "-----BEGIN RSA PRIVATE KEY-----\n"                                                            \
    "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"                           \
    "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"                           \
    "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"                           \
    "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"                           \
    "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"                           \
    "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"                           \
    "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"                           \
    "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"                           \
    "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"                           \
    "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"                           \
    "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"                           \
    "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"                           \
    "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"                                               \
    "-----END RSA PRIVATE KEY-----\n"

/* RFC 8463 §A.3: the two signatures' b= values and the relaxed header data they sign (RFC 6376
 * §3.7: the signed fields, then the DKIM-Signature field with an empty b=, no final CRLF). */
#define RFC8463_ED25519_B                                                                          \
    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"                                 \
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="
#define RFC8463_RSA_B                                                                              \
    "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"                                 \
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"                              \
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8="
#define RFC8463_SIGNED_FIELDS                                                                      \
    "from:Joe SixPack <joe@football.example.com>\r\n"                                              \
    "to:Suzie Q <suzie@shopping.example.net>\r\n"                                                  \
    "subject:Is dinner ready?\r\n"                                                                 \
    "date:Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"                                               \
    "message-id:<20030712040037.46341.5F8J@football.example.com>\r\n"
#define RFC8463_ED25519_HEADER_DATA                                                                \
    RFC8463_SIGNED_FIELDS "dkim-signature:v=1; a=ed25519-sha256;"                                  \
                          " c=relaxed/relaxed; d=football.example.com; i=@football.example.com;"   \
                          " q=dns/txt; s=brisbane; t=1528637909; h=from : to : subject : date :"   \
                          " message-id : from : subject : date;"                                   \
                          " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b="
#define RFC8463_RSA_HEADER_DATA                                                                    \
    RFC8463_SIGNED_FIELDS "dkim-signature:v=1; a=rsa-sha256;"                                      \
                          " c=relaxed/relaxed; d=football.example.com; i=@football.example.com;"   \
                          " q=dns/txt; s=test; t=1528637909; h=from : to : subject : date :"       \
                          " message-id : from : subject : date;"                                   \
                          " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b="
/* RFC 8463 §A.3's body, relaxed (RFC 6376 §3.4.4); its SHA-256 is the bh= above. */
#define RFC8463_RELAXED_BODY "Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n"
#define RFC8463_BH "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="

/* Mail::DKIM corpus, test1._domainkey.messiah.edu: a 512-bit RSA key (RFC 8301 §3.2 says a
 * verifier must not accept it; parsing must still report its size). */
#define MAILDKIM_RSA512_P                                                                          \
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALgSoqXVSEmfcIsOzw7oRuCCOwsmtX/SJnTWxYyj2leFxfS/AVJ+dYfY+hXq" \
    "MsT7l+MZvvh/R1WzN4MO/kI/7XsCAwEAAQ=="

#endif
