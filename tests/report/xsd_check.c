/* SPDX-License-Identifier: MIT */
/* report_xsd_check XSD FILE...: validates every report (.xml or .xml.gz) against an XML schema
 * with libxml2's xmlSchemaValidateDoc; prints one line per file. Exit 0 when all are valid, 1
 * when one is not, 77 (skip) when the schema file is absent. */
#define ZLIB_CONST
#include <libxml/parser.h>
#include <stdbool.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    size_t got;
    while (b != NULL && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (nb == NULL) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static unsigned char *gunzip(const unsigned char *in, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        return NULL;
    }
    size_t cap = 1 << 20;
    unsigned char *out = malloc(cap);
    z.next_in = in;
    z.avail_in = (uInt)len;
    int rc = Z_OK;
    while (out != NULL && rc == Z_OK) {
        if (z.total_out == cap) {
            unsigned char *n = realloc(out, cap *= 2);
            if (n == NULL) {
                free(out);
                out = NULL;
                break;
            }
            out = n;
        }
        z.next_out = out + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
    }
    *out_len = z.total_out;
    (void)inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: report_xsd_check XSD FILE...\n");
        return 2;
    }
    if (access(argv[1], R_OK) != 0) {
        printf("SKIP: the RFC 9990 schema %s is absent (MS_CONFORMANCE_DIR)\n", argv[1]);
        return 77;
    }
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(argv[1]);
    xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
    xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    if (vc == NULL) {
        fprintf(stderr, "%s: the schema does not load\n", argv[1]);
        return 1;
    }
    int bad = 0;
    for (int k = 2; k < argc; k++) {
        size_t len = 0, xml_len = 0;
        unsigned char *raw = slurp(argv[k], &len);
        size_t n = strlen(argv[k]);
        bool gz = n > 3 && strcmp(argv[k] + n - 3, ".gz") == 0;
        unsigned char *xml = raw && gz ? gunzip(raw, len, &xml_len) : raw;
        if (!gz) {
            xml_len = len;
        }
        xmlDocPtr doc =
            xml ? xmlReadMemory((const char *)xml, (int)xml_len, argv[k], NULL, XML_PARSE_NONET)
                : NULL;
        int rc = doc ? xmlSchemaValidateDoc(vc, doc) : -1;
        printf("%s: %s\n", argv[k], rc == 0 ? "valid" : doc ? "INVALID" : "unreadable");
        bad |= rc != 0;
        xmlFreeDoc(doc);
        if (xml != raw) {
            free(xml);
        }
        free(raw);
    }
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
    xmlCleanupParser();
    return bad ? 1 : 0;
}
