#ifndef CLEARANCE_CLIBXML2_SHIM_H
#define CLEARANCE_CLIBXML2_SHIM_H
/* xmlversion.h first, then drop ICU: libxml2's ICU headers clash with Foundation's own ICU module. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/dict.h>
#include <libxml/xmlerror.h>
#include <libxml/c14n.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
#include <libxml/encoding.h>
#endif
