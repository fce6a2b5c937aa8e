/* The libxmlsec1 reference for `bench_signature.py`: signs and verifies the same in-memory
 * documents with the C library (libxml2 DOM + xmlsec1 + OpenSSL), one core, in-process.
 *
 *   xmlsec_baseline sign   KEY.pem CERT.pem FILE...   (FILEs hold a ds:Signature template as root's last child)
 *   xmlsec_baseline verify CA.pem FILE...             (signed FILEs; X509 chain checked against CA.pem)
 *
 * Files are loaded first; only the loop is timed: parse, sign or verify, and (sign) serialize.
 * Prints "ops/s <value> ok <count>".
 * Build: cc -O2 xmlsec_baseline.c $(pkg-config --cflags --libs xmlsec1-openssl) */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { char *data; int size; } Buffer;

static Buffer load(const char *path) {
    Buffer b = {0, 0};
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END); b.size = (int)ftell(f); fseek(f, 0, SEEK_SET);
    b.data = malloc(b.size);
    if (fread(b.data, 1, b.size, f) != (size_t)b.size) { perror(path); exit(2); }
    fclose(f);
    return b;
}

static double now(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s sign KEY CERT FILE... | verify CA FILE...\n", argv[0]); return 2; }
    int signing = strcmp(argv[1], "sign") == 0;
    int first = signing ? 4 : 3, count = argc - first;
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) { fprintf(stderr, "xmlsec init failed\n"); return 2; }
    Buffer *files = malloc(sizeof(Buffer) * count);
    for (int i = 0; i < count; i++) files[i] = load(argv[first + i]);

    xmlSecKeyPtr key = NULL;
    xmlSecKeysMngrPtr manager = NULL;
    if (signing) {
        key = xmlSecCryptoAppKeyLoad(argv[2], xmlSecKeyDataFormatPem, NULL, NULL, NULL);
        if (!key || xmlSecCryptoAppKeyCertLoad(key, argv[3], xmlSecKeyDataFormatPem) < 0) { fprintf(stderr, "key load failed\n"); return 2; }
    } else {
        manager = xmlSecKeysMngrCreate();
        if (!manager || xmlSecCryptoAppDefaultKeysMngrInit(manager) < 0
            || xmlSecCryptoAppKeysMngrCertLoad(manager, argv[2], xmlSecKeyDataFormatPem, xmlSecKeyDataTypeTrusted) < 0) {
            fprintf(stderr, "trust load failed\n"); return 2;
        }
    }
    int ok = 0;
    long output_bytes = 0;
    double start = now();
    for (int i = 0; i < count; i++) {
        xmlDocPtr doc = xmlReadMemory(files[i].data, files[i].size, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOCDATA);
        if (!doc) continue;
        xmlNodePtr node = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
        xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(manager);
        if (node && ctx) {
            if (signing) {
                ctx->signKey = xmlSecKeyDuplicate(key);
                if (xmlSecDSigCtxSign(ctx, node) == 0) {
                    xmlChar *out = NULL; int size = 0;
                    xmlDocDumpMemory(doc, &out, &size);
                    output_bytes += size;
                    xmlFree(out);
                    ok++;
                }
            } else if (xmlSecDSigCtxVerify(ctx, node) == 0 && ctx->status == xmlSecDSigStatusSucceeded) {
                ok++;
            }
        }
        if (ctx) xmlSecDSigCtxDestroy(ctx);
        xmlFreeDoc(doc);
    }
    double seconds = now() - start;
    printf("ops/s %.1f ok %d seconds %.3f\n", count / seconds, ok, seconds);
    if (key) xmlSecKeyDestroy(key);
    if (manager) xmlSecKeysMngrDestroy(manager);
    xmlSecCryptoShutdown(); xmlSecCryptoAppShutdown(); xmlSecShutdown(); xmlCleanupParser();
    return ok == count ? 0 : 1;
}
