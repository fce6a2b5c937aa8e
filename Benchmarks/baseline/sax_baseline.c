/* The physical limit for `clearance validate`: libxml2's SAX2 push parser over the same
 * bytes, fed in the same 1 MiB chunks with the same options, doing nothing but counting
 * elements and text bytes. Build: cc -O2 sax_baseline.c $(pkg-config --cflags --libs libxml-2.0) */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static long elements, text_bytes;

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                     const xmlChar **attributes) {
    (void)ctx; (void)localname; (void)prefix; (void)uri; (void)nb_namespaces; (void)namespaces;
    (void)nb_attributes; (void)nb_defaulted; (void)attributes;
    elements++;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)ctx; (void)localname; (void)prefix; (void)uri;
}

static void on_characters(void *ctx, const xmlChar *ch, int len) {
    (void)ctx; (void)ch;
    text_bytes += len;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 2; }
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_characters;
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, argv[1]);
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOCDATA);
    static char buffer[1 << 20];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        if (xmlParseChunk(ctxt, buffer, (int)n, 0) != 0) { fprintf(stderr, "parse error\n"); return 1; }
    }
    xmlParseChunk(ctxt, NULL, 0, 1);
    int ok = ctxt->wellFormed;
    xmlFreeParserCtxt(ctxt);
    close(fd);
    printf("%ld elements, %ld text bytes\n", elements, text_bytes);
    return ok ? 0 : 1;
}
